// Command optimbench runs optimizer experiments on empirical-risk-minimization problems.
package main

import (
	"os"

	"github.com/optimbench/optimbench/cmd"
)

func main() { os.Exit(cmd.Main()) }
