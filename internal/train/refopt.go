package train

import (
	"context"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize"

	"github.com/optimbench/optimbench/internal/report"
)

// Reference optimum (train.reference_optimum, SPEC §2): f*, the minimum of
// the training data loss — the quantity train_loss measures, without any
// weight-decay term — so that train_subopt = train_loss − f* shows the
// convergence rate on a log scale.
//
//   - least squares (linear, mse): the closed form. The normal equations
//     AᵀA w = Aᵀy, with A = [X 1], are accumulated in chunks (memory (d+1)²,
//     whatever the number of samples), solved by a pseudo-inverse from the
//     eigendecomposition of AᵀA (rank-deficient data such as MNIST's constant
//     pixels are fine: the minimum value is unique even when w is not), then
//     refined twice with residuals computed from A itself, which brings the
//     solution to the accuracy of a QR solve.
//   - softmax regression (linear, cross_entropy): L-BFGS from
//     gonum.org/v1/gonum/optimize on the full training loss, from zero, until
//     the gradient's largest component is below refGradTol (1e-12). A
//     line search that stalls below refGradStall counts as converged (the
//     loss cannot be resolved further in float64); anything else — in
//     particular separable classes, whose infimum is not attained — is an
//     error before training.
//   - test functions: their known global minimum value, 0 (every function
//     but the saddle, which config validation rejects).
//
// In every case f* is the loss evaluated by the same code as train_loss at
// the minimizer found, so that train_subopt is ≥ 0 up to rounding.
const (
	refGradTol    = 1e-12
	refGradStall  = 1e-8
	refIterations = 20000
)

// refData is the float64 objective f* is computed on (a float32 run computes it on a float64
// copy of its objective: f* is the training loss's minimum, whatever the precision of the run).
type refData struct{ *Data }

// referenceOptimum computes f* of a linear model with the given loss.
// It stops soon after ctx is done, with ctx's error.
func (d refData) referenceOptimum(ctx context.Context, loss string) (float64, error) {
	var params []float64
	var err error
	switch loss {
	case "mse":
		params, err = d.leastSquares(ctx)
	case "cross_entropy":
		params, err = d.softmaxMinimizer(ctx)
	default:
		return 0, fmt.Errorf("reference optimum: no method for loss %s", loss)
	}
	if err != nil {
		return 0, err
	}
	f, _ := d.evaluate(params, d.Train)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("reference optimum: the loss at the minimizer is %v", f)
	}
	return f, nil
}

// leastSquares returns the parameters [w, b] (the linear model's layout: W
// as a 1×d row, then the bias) minimizing the mean squared error.
func (d refData) leastSquares(ctx context.Context) ([]float64, error) {
	set := d.Train
	dim := set.D
	p := dim + 1
	gram := mat.NewSymDense(p, nil)
	aty := make([]float64, p)
	chunk := make([]float64, evalRows*p)
	var part mat.SymDense
	for i := 0; i < set.N; i += evalRows {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("reference optimum: %w", err)
		}
		n := min(evalRows, set.N-i)
		x := set.Rows(i, n, d.evalBuf)
		for k := range n { // A's rows: [x 1]
			copy(chunk[k*p:k*p+dim], x[k*dim:(k+1)*dim])
			chunk[k*p+dim] = 1
			floats.AddScaled(aty, set.Y[i+k], chunk[k*p:(k+1)*p])
		}
		part.SymOuterK(1, mat.NewDense(n, p, chunk[:n*p]).T())
		gram.AddSym(gram, &part)
	}
	row := make([]float64, p)
	row[dim] = 1
	var eig mat.EigenSym
	if !eig.Factorize(gram, true) {
		// Cannot happen for a finite symmetric matrix; fall back to zero.
		return make([]float64, p), nil
	}
	vals := eig.Values(nil)
	var vecs mat.Dense
	eig.VectorsTo(&vecs)
	tol := float64(p) * 1e-15 * slices.Max(vals)
	pinv := func(dst, b []float64) { // dst = (AᵀA)⁺ b
		c := make([]float64, p)
		for k, lambda := range vals {
			if lambda <= tol {
				continue
			}
			var dot float64
			for i := range p {
				dot += vecs.At(i, k) * b[i]
			}
			c[k] = dot / lambda
		}
		for i := range p {
			var s float64
			for k := range p {
				s += vecs.At(i, k) * c[k]
			}
			dst[i] = s
		}
	}
	w := make([]float64, p)
	pinv(w, aty)
	res := make([]float64, p)
	delta := make([]float64, p)
	for range 2 { // iterative refinement: w += (AᵀA)⁺ Aᵀ(y − Aw)
		clear(res)
		d.forRows(func(x []float64, y float64) {
			copy(row, x)
			e := y - floats.Dot(row, w)
			floats.AddScaled(res, e, row)
		})
		pinv(delta, res)
		floats.Add(w, delta)
	}
	return w, nil
}

// forRows calls f with each training row's features and target, in order.
func (d refData) forRows(f func(x []float64, y float64)) {
	set := d.Train
	dim := set.D
	for i := 0; i < set.N; i += evalRows {
		n := min(evalRows, set.N-i)
		x := set.Rows(i, n, d.evalBuf)
		for k := range n {
			f(x[k*dim:(k+1)*dim], set.Y[i+k])
		}
	}
}

// softmaxMinimizer minimizes the mean cross-entropy of the linear model over
// the training set by L-BFGS.
func (d refData) softmaxMinimizer(ctx context.Context) ([]float64, error) {
	np := d.Model.NumParams()
	var lastX, lastG []float64
	var lastF float64
	chunkG := make([]float64, np)
	eval := func(x []float64) {
		if lastX != nil && slices.Equal(x, lastX) {
			return
		}
		if lastX == nil {
			lastX, lastG = make([]float64, np), make([]float64, np)
		}
		copy(lastX, x)
		clear(lastG)
		lastF = 0
		set := d.Train
		for i := 0; i < set.N; i += evalRows {
			n := min(evalRows, set.N-i)
			l := d.Model.LossGrad(x, set.Rows(i, n, d.evalBuf), set.Y[i:i+n], n, chunkG)
			w := float64(n) / float64(set.N)
			lastF += w * l
			floats.AddScaled(lastG, w, chunkG)
		}
	}
	prob := optimize.Problem{
		Func: func(x []float64) float64 { eval(x); return lastF },
		Grad: func(g, x []float64) { eval(x); copy(g, lastG) },
	}
	settings := &optimize.Settings{
		GradientThreshold: refGradTol,
		Converger:         untilDone{ctx},
		MajorIterations:   refIterations,
	}
	res, err := optimize.Minimize(prob, make([]float64, np), settings, &optimize.LBFGS{})
	if ctx.Err() != nil {
		return nil, fmt.Errorf("reference optimum: %w", ctx.Err())
	}
	if res == nil {
		return nil, fmt.Errorf("reference optimum: L-BFGS: %w", err)
	}
	g := make([]float64, np)
	prob.Grad(g, res.X)
	gnorm := floats.Norm(g, math.Inf(1))
	if res.Status == optimize.GradientThreshold || gnorm <= refGradStall {
		return res.X, nil
	}
	why := res.Status.String()
	if err != nil {
		why = err.Error()
	}
	return nil, report.BadInput(fmt.Errorf("train.reference_optimum: L-BFGS stopped after %d iterations (%s) with gradient norm %.3g > %g: "+
		"the softmax-regression minimum may not be attained (separable classes?)", res.Stats.MajorIterations, why, gnorm, refGradStall))
}

// untilDone is gonum's NeverTerminate converger that stops the minimization once ctx is done.
type untilDone struct{ ctx context.Context }

func (untilDone) Init(int) {}

func (u untilDone) Converged(*optimize.Location) optimize.Status {
	if u.ctx.Err() != nil {
		return optimize.MethodConverge // the caller checks ctx and discards the result
	}
	return optimize.NotTerminated
}
