// Package verdict draws the report of a benchmark (`optimbench report`, SPEC §10): from the
// folder's analysis.json alone (package benchmark's Analysis, read back, so a report can be
// redrawn without training), one self-contained HTML page with inline SVG figures and no
// network fetches, or a Markdown document with PNG figures beside it.
//
// The report holds, in order: a title and a stamp (optimbench version and commit, Go, CPU,
// dtype, threads, parallel runs, date); where the protocol departs from DeepOBS's defaults
// (on the first screen); one verdict sentence per problem; a table per problem of
// performance (final and best test loss and accuracy, or the training ones without a test
// set), speed (epochs and seconds to the target) and tuneability (the expected result of one
// random tuning trial, the diverged settings, the tuning's epochs against the full grid's),
// with the winner of each column marked ★ and values within seed noise of it ≈ (NoiseRule:
// Welch's t-test, WelchP); and four figures: DeepOBS's performance plot, the learning-rate
// sensitivity, AlgoPerf's performance profile and Crowded Valley's tuning-budget curve.
// An optimizer takes the same colour in every figure: its place in the benchmark's list.
//
// The figures are drawn by package plot (RenderPanels) from plain series built here.
package verdict
