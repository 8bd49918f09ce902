// Package benchmark runs the tuning protocol of `optimbench benchmark` (SPEC §10): DeepOBS's
// suggested protocol — tune every optimizer on one seed (a grid, random or Halton
// quasi-random search, or successive halving over one), pick each one's best setting per
// problem by a selection rule, rerun that setting over seeds, compare — built on
// internal/sweep, so that every step is resumable, parallel, sharded and fit for Slurm; and
// the analysis of its folders (analysis.json: performance, speed, tuneability, AlgoPerf's
// performance profile, Crowded Valley's tuning-budget curve).
package benchmark
