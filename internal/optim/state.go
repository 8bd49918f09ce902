package optim

import (
	"fmt"
	"github.com/optimbench/optimbench/internal/param"
	"math"
	"slices"
)

// Stateful is implemented by every optimizer of the registry: State returns the optimizer's
// state — everything that changes from one Step to the next — as pointers and slices into it,
// always in the same order and of the same lengths for the same layout and values, so that a
// checkpoint can save it and write it back. Each element is a *float64, an *int, a *bool or
// a []T of the optimizer's precision, []float64 or []float32 (possibly of length 0: a buffer
// the values do not use; a float32 optimizer's scalars are float64, as PyTorch's Python
// floats, or float64 values of float32 where PyTorch keeps a 0-d tensor); the hyperparameters,
// which New sets, are not part of it, nor is the scratch an update writes before it reads it.
//
// Two values the loop sets from outside are not state either:
//
//   - The momentum a schedule drives (MomentumSetter): it changes at run time, but the loop
//     calls SetMomentum before every Step, so the value the optimizer holds between two steps
//     is never read before it is set again; a resumed run sets it from its schedule before its
//     first Step, as the original run did. (What the momentum leaves behind, such as nadam's
//     running product of μ_t, is state.) Without a momentum schedule the momentum is the
//     hyperparameter New set.
//   - The base rate lr₀ of SetBaseLR (BaseRater): the loop sets it once, from the run's
//     optimizer.lr, before the first Step of a run, a resumed one included, and Step never
//     changes it (muon's aux_lr scale). rprop is the exception: without SetBaseLR its Step
//     takes lr₀ from the first rate it is given, so its lr₀ is state.
//
// Each optimizer's State documents what it holds. A State is valid until the next Step (lbfgs
// moves the vectors of its history between slots): call it again rather than keep it.
type Stateful interface {
	State() []any
}

// Every optimizer type is Stateful and named, in both precisions (TestEveryOptimizerIsStateful
// checks the registry).
var (
	_ = statefulTypes[float64]()
	_ = statefulTypes[float32]()
)

func statefulTypes[T Float]() []interface {
	Stateful
	named
} {
	return []interface {
		Stateful
		named
	}{(*sgd[T])(nil), (*heavyBall[T])(nil), (*adagrad[T])(nil), (*rmsprop[T])(nil), (*adadelta[T])(nil),
		(*adam[T])(nil), (*adamax[T])(nil), (*nadam[T])(nil), (*radam[T])(nil), (*rprop[T])(nil), (*asgd[T])(nil),
		(*lbfgs[T])(nil), (*lion[T])(nil), (*signum[T])(nil), (*adaBelief[T])(nil), (*yogi[T])(nil), (*adopt[T])(nil),
		(*lars[T])(nil), (*lamb[T])(nil), (*scheduleFree[T])(nil), (*muon[T])(nil), (*adafactor[T])(nil), (*prodigy[T])(nil)}
}

// stateFormat is the version of the layout SaveState writes, the first value of its header.
const stateFormat = 1

// entry records what New built an optimizer for, so that a checkpoint can say whose state it
// holds: the header of its checkpoints. Every optimizer type embeds it.
type entry struct{ header []float64 }

func (e *entry) setEntry(name string, l Layout) { e.header = stateHeader(name, l) }

// entryHeader is the header New recorded, or nil for an optimizer built outside New.
func (e *entry) entryHeader() []float64 { return e.header }

// named is implemented by the optimizers that embed entry.
type named interface {
	setEntry(name string, l Layout)
	entryHeader() []float64
}

// stateHeader is the first row of a checkpoint of optimizer name for layout l: the format,
// the parameter count, the length of the name and its code points, the number of tensors and
// offset, rows, columns and matrix flag of each.
func stateHeader(name string, l Layout) []float64 {
	rs := []rune(name)
	h := []float64{stateFormat, float64(l.Size), float64(len(rs))}
	for _, r := range rs {
		h = append(h, float64(r))
	}
	h = append(h, float64(len(l.Tensors)))
	for _, t := range l.Tensors {
		m := 0.0
		if t.Matrix {
			m = 1
		}
		h = append(h, float64(t.Offset), float64(t.Rows), float64(t.Cols), m)
	}
	return h
}

// headerOf is the header of opt's checkpoints: the one New recorded, or, for an optimizer
// built outside New, its Go type with an unknown size (−1) and no tensors.
func headerOf(opt any) []float64 {
	if n, ok := opt.(named); ok && n.entryHeader() != nil {
		return n.entryHeader()
	}
	return stateHeader(fmt.Sprintf("%T", opt), Layout{Size: -1})
}

// headerName reads the name and the parameter count back from a header; ok is false when h
// is not one.
func headerName(h []float64) (name string, size float64, ok bool) {
	if len(h) < 3 || h[0] != stateFormat || h[2] < 0 || h[2] != math.Trunc(h[2]) || float64(len(h)-3) < h[2] {
		return "", 0, false
	}
	rs := make([]rune, int(h[2]))
	for i := range rs {
		x := h[3+i]
		if x != math.Trunc(x) || x < 0 || x > math.MaxInt32 {
			return "", 0, false
		}
		rs[i] = rune(x)
	}
	return string(rs), h[1], true
}

// SaveState copies the state of opt into plain values. The first row is a header that names
// the optimizer and its layout (the format, the parameter count, the registry name as code
// points, the tensors: see stateHeader), which RestoreState checks; then comes one row per
// element of State, in its order: a []float64 as it is (a []float32 widened, exactly), a number
// or a flag as one value (an int exactly, a flag as 0 or 1). Nothing of it aliases opt. The
// header of a float32 optimizer names it "adam (float32)": its checkpoints restore into a
// float32 optimizer only, and float64 headers are those of the float64-only format.
func SaveState[T Float](opt OptimizerOf[T]) ([][]float64, error) {
	st, ok := opt.(Stateful)
	if !ok {
		return nil, fmt.Errorf("optim: %T has no State", opt)
	}
	rows, err := param.SaveState(widen(st.State()))
	if err != nil {
		return nil, fmt.Errorf("optim: %T: %w", opt, err)
	}
	return append([][]float64{slices.Clone(headerOf(opt))}, rows...), nil
}

// RestoreState writes values saved by SaveState back into opt, built with the same name,
// values and layout. A mismatch (another optimizer's checkpoint, another size, another
// history length, a value an int or a flag cannot hold) is an error, and then opt is left
// as it was.
func RestoreState[T Float](opt OptimizerOf[T], saved [][]float64) error {
	st, ok := opt.(Stateful)
	if !ok {
		return fmt.Errorf("optim: %T has no State", opt)
	}
	header := headerOf(opt)
	want, size, _ := headerName(header)
	if len(saved) == 0 {
		return fmt.Errorf("optim: an empty checkpoint for %s", want)
	}
	if !slices.Equal(saved[0], header) {
		got, gotSize, ok := headerName(saved[0])
		switch {
		case !ok:
			return fmt.Errorf("optim: the checkpoint for %s has no optimizer header", want)
		case got != want:
			return fmt.Errorf("optim: the checkpoint holds the state of %s, not of %s", got, want)
		case gotSize != size:
			return fmt.Errorf("optim: the checkpoint holds the state of %s for %v parameters, not %v", got, gotSize, size)
		}
		return fmt.Errorf("optim: the checkpoint holds the state of %s for another layout of its %v parameters", got, size)
	}
	elems := st.State()
	wide := widen(elems)
	if err := checkNarrow(elems, saved[1:]); err != nil {
		return fmt.Errorf("optim: %s: %w", want, err)
	}
	if err := param.RestoreState(wide, saved[1:]); err != nil {
		return fmt.Errorf("optim: %s: %w", want, err)
	}
	for i, e := range elems {
		if x, ok := e.([]float32); ok {
			for j, w := range wide[i].([]float64) {
				x[j] = float32(w)
			}
		}
	}
	return nil
}

// widen returns the state elements with each []float32 replaced by a []float64 copy (what
// param.SaveState and RestoreState take); the other elements are the same.
func widen(elems []any) []any {
	out := slices.Clone(elems)
	for i, e := range elems {
		if x, ok := e.([]float32); ok {
			w := make([]float64, len(x))
			for j, v := range x {
				w[j] = float64(v)
			}
			out[i] = w
		}
	}
	return out
}

// checkNarrow checks that every saved value of a []float32 element is a float32 value (a
// float32 checkpoint holds nothing else; NaN and ±Inf are).
func checkNarrow(elems []any, saved [][]float64) error {
	for i, e := range elems {
		if _, ok := e.([]float32); !ok || i >= len(saved) {
			continue
		}
		for _, v := range saved[i] {
			if float64(float32(v)) != v && v == v {
				return fmt.Errorf("state element %d is float32, the checkpoint has %v", i, v)
			}
		}
	}
	return nil
}

// vectors is an Entry.Floats of k vectors of the parameters' length.
func vectors(k int) func(param.Values, Layout) int64 {
	return func(_ param.Values, l Layout) int64 { return int64(k) * int64(l.Size) }
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// lbfgsFloats is L-BFGS's slab (newLBFGS): 2·history_size + 5 vectors, 6 more for the
// strong-Wolfe search, and the history's scalars.
func lbfgsFloats(v param.Values, l Layout) int64 {
	h := int64(v.Int("history_size"))
	k := 2*h + 5
	if v.String("line_search") == "strong_wolfe" {
		k += 6
	}
	return k*int64(l.Size) + 2*h
}

// muonFloats is Muon's momentum and auxiliary moments (3 vectors) and its Newton–Schulz
// scratch, sized for the largest matrix (newMuon).
func muonFloats(_ param.Values, l Layout) int64 {
	var size, side int64
	for _, t := range l.Tensors {
		if t.Matrix {
			size = max(size, int64(t.Rows)*int64(t.Cols))
			side = max(side, int64(min(t.Rows, t.Cols)))
		}
	}
	return 3*int64(l.Size) + 2*size + 2*side*side
}

// adafactorFloats is Adafactor's V (a vector) and the row and column factors of each matrix.
func adafactorFloats(_ param.Values, l Layout) int64 {
	f := int64(l.Size)
	for _, t := range l.Tensors {
		if t.Matrix {
			f += int64(t.Rows) + int64(t.Cols)
		}
	}
	return f
}
