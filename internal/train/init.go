package train

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"slices"
	"strings"

	"github.com/optimbench/optimbench/internal/config"
	"github.com/optimbench/optimbench/internal/optim"
	"github.com/optimbench/optimbench/internal/report"
)

// tensorShape is the shape of a parameter tensor as PyTorch has it and params.safetensors
// writes it: a weight [out, in], a conv weight [out, in, kh, kw], a bias [out], a test
// function's point x [n]. The names are
// the layout's (model.Model.Tensors). Writing the parameters and reading an init file both
// take names and shapes from here.
func tensorShape(t optim.Tensor) []int {
	if k := t.Kernel; t.Matrix && k[0]*k[1] > 0 {
		return []int{t.Rows, t.Cols / (k[0] * k[1]), k[0], k[1]}
	}
	if t.Matrix {
		return []int{t.Rows, t.Cols}
	}
	return []int{t.Rows}
}

// startFrom returns the objective of data run c: obj itself, or, when model.init names a
// file, obj starting from that file's tensors. Every error is a *config.ConfigError naming
// model.init.file, the file and the tensor at fault.
func startFrom[T optim.Float](c *config.Config, obj ObjectiveOf[T]) (ObjectiveOf[T], error) {
	f, ok := c.InitFile()
	if !ok {
		return obj, nil
	}
	start, err := readInit(f, obj.Layout())
	if err != nil {
		return nil, &config.ConfigError{File: c.File, Key: "model.init.file", Msg: err.Error()}
	}
	return &fromFile[T]{ObjectiveOf: obj, start: start}, nil
}

// fromFile is an objective whose Init restarts it (its random streams) and then writes the
// parameters of an init file (rounded to float32 for a float32 run).
type fromFile[T optim.Float] struct {
	ObjectiveOf[T]
	start []float64
}

func (f *fromFile[T]) Init(params []T) {
	f.ObjectiveOf.Init(params)
	setFrom(params, f.start)
}

// readInit reads the init file f and returns its tensors as the flat parameters of layout.
// The file must hold exactly the layout's tensors, by name and shape, in a floating-point
// dtype (F64, F32, F16 or BF16, converted exactly), in any order, with finite values, and
// its bytes must be those Decode hashed. Errors start with the file.
func readInit(f config.InitFile, layout optim.Layout) ([]float64, error) {
	ts, _, sum, err := report.ReadSafetensorsSum(f.Abs)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.Path, unwrapPath(err, f.Abs))
	}
	if sum != f.SHA256 {
		return nil, fmt.Errorf("%s: changed since the configuration was read (sha256 %s, then %s)", f.Path, sum, f.SHA256)
	}
	byName := make(map[string]*report.Tensor, len(ts))
	for i := range ts {
		byName[ts[i].Name] = &ts[i]
	}
	names := make([]string, len(layout.Tensors))
	for i, t := range layout.Tensors {
		names[i] = t.Name
	}
	params := make([]float64, layout.Size)
	for _, want := range layout.Tensors {
		t, ok := byName[want.Name]
		if !ok {
			return nil, fmt.Errorf("%s: no tensor %s (the model has %s)", f.Path, want.Name, strings.Join(names, ", "))
		}
		if shape := tensorShape(want); !slices.Equal(t.Shape, shape) {
			return nil, fmt.Errorf("%s: %s has shape %v, the model wants %v", f.Path, t.Name, t.Shape, shape)
		}
		for i, v := range t.Data {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("%s: %s[%d] is %v, want a finite value", f.Path, t.Name, i, v)
			}
		}
		copy(params[want.Offset:], t.Data)
	}
	for _, t := range ts {
		if !slices.Contains(names, t.Name) {
			return nil, fmt.Errorf("%s: tensor %s is not one of the model's (%s)", f.Path, t.Name, strings.Join(names, ", "))
		}
	}
	return params, nil
}

// unwrapPath drops the leading "path: " of a reader's error, which names the file by the
// absolute path the caller does not show.
func unwrapPath(err error, path string) error {
	if errors.Is(err, fs.ErrNotExist) {
		return errors.New("no such file (it was there when the configuration was read)")
	}
	if msg, ok := strings.CutPrefix(err.Error(), path+": "); ok {
		return fmt.Errorf("%s", msg)
	}
	return err
}
