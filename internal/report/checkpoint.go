package report

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
)

// Checkpoint is checkpoint.safetensors: everything a run needs to go on from the end of an
// epoch as if it had not stopped. Numbers are stored as float64 tensors (exact, NaN and ±Inf
// included), counters and words in the header's metadata.
type Checkpoint struct {
	ConfigHash string // the content hash of the run's configuration
	Epoch      int    // epochs done
	Step       int
	Examples   int
	// Rows and Points are how many rows of metrics.csv and points of trajectory.csv the
	// run had written when the checkpoint was taken.
	Rows, Points int
	Status       string // done (so far) or diverged
	Reason       string
	AvgUpdates   int               // updates of the averaged weights
	RNG          map[string][]byte // the binary states of the run's random streams, by purpose

	// LR and Momentum are those of the last update; Seconds the time trained so far; Initial
	// the first row's training loss; Best the best training loss, test loss, training
	// accuracy and test accuracy so far.
	LR, Momentum, Seconds, Initial float64
	Best                           [4]float64

	Params    []float64   // the iterate
	Optimizer [][]float64 // the optimizer's state (optim.SaveState)
	Average   []float64   // the averaged weights (train.average), or nil
	Schedule  [][]float64 // the schedule's state (reduce-on-plateau), or nil
}

type checkpointMeta struct {
	ConfigHash string            `json:"config_hash"`
	Epoch      int               `json:"epoch"`
	Step       int               `json:"step"`
	Examples   int               `json:"examples"`
	Rows       int               `json:"rows"`
	Points     int               `json:"points"`
	Status     string            `json:"status"`
	Reason     string            `json:"reason"`
	AvgUpdates int               `json:"avg_updates"`
	RNG        map[string]string `json:"rng"`
	Optimizer  int               `json:"optimizer_tensors"`
	Schedule   int               `json:"schedule_tensors"`
}

// WriteCheckpoint writes c to path atomically.
func WriteCheckpoint(path string, c *Checkpoint) error {
	m := checkpointMeta{ConfigHash: c.ConfigHash, Epoch: c.Epoch, Step: c.Step, Examples: c.Examples,
		Rows: c.Rows, Points: c.Points, Status: c.Status, Reason: c.Reason, AvgUpdates: c.AvgUpdates,
		RNG: map[string]string{}, Optimizer: len(c.Optimizer), Schedule: len(c.Schedule)}
	for k, v := range c.RNG {
		m.RNG[k] = base64.StdEncoding.EncodeToString(v)
	}
	meta, err := json.Marshal(m)
	if err != nil {
		return err
	}
	vec := func(name string, v []float64) Tensor { return Tensor{Name: name, Shape: []int{len(v)}, Data: v} }
	ts := []Tensor{
		vec("scalars", append([]float64{c.LR, c.Momentum, c.Seconds, c.Initial}, c.Best[:]...)),
		vec("params", c.Params),
	}
	for i, v := range c.Optimizer {
		ts = append(ts, vec("optimizer."+strconv.Itoa(i), v))
	}
	if c.Average != nil {
		ts = append(ts, vec("average", c.Average))
	}
	for i, v := range c.Schedule {
		ts = append(ts, vec("schedule."+strconv.Itoa(i), v))
	}
	return WriteSafetensors(path, ts, map[string]string{"optimbench_checkpoint": string(meta)})
}

// ReadCheckpoint reads a checkpoint written by WriteCheckpoint.
func ReadCheckpoint(path string) (*Checkpoint, error) {
	ts, meta, err := ReadSafetensors(path)
	if err != nil {
		return nil, err
	}
	var m checkpointMeta
	if err := json.Unmarshal([]byte(meta["optimbench_checkpoint"]), &m); err != nil {
		return nil, fmt.Errorf("%s: not a checkpoint of optimbench: %v", path, err)
	}
	c := &Checkpoint{ConfigHash: m.ConfigHash, Epoch: m.Epoch, Step: m.Step, Examples: m.Examples,
		Rows: m.Rows, Points: m.Points, Status: m.Status, Reason: m.Reason, AvgUpdates: m.AvgUpdates,
		RNG: map[string][]byte{}}
	for k, v := range m.RNG {
		b, err := base64.StdEncoding.DecodeString(v)
		if err != nil {
			return nil, fmt.Errorf("%s: random stream %s: %v", path, k, err)
		}
		c.RNG[k] = b
	}
	get := func(name string) ([]float64, error) {
		t, err := FindTensor(ts, name)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return t.Data, nil
	}
	s, err := get("scalars")
	if err != nil {
		return nil, err
	}
	if len(s) != 8 {
		return nil, fmt.Errorf("%s: %d scalars, want 8", path, len(s))
	}
	c.LR, c.Momentum, c.Seconds, c.Initial = s[0], s[1], s[2], s[3]
	copy(c.Best[:], s[4:])
	if c.Params, err = get("params"); err != nil {
		return nil, err
	}
	for i := range m.Optimizer {
		v, err := get("optimizer." + strconv.Itoa(i))
		if err != nil {
			return nil, err
		}
		c.Optimizer = append(c.Optimizer, v)
	}
	if _, err := FindTensor(ts, "average"); err == nil {
		c.Average, _ = get("average")
	}
	for i := range m.Schedule {
		v, err := get("schedule." + strconv.Itoa(i))
		if err != nil {
			return nil, err
		}
		c.Schedule = append(c.Schedule, v)
	}
	return c, nil
}
