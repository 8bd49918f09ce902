package report

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

// truncateLines cuts the file at path after its first n lines (the header counts as one) and
// returns it opened for appending, with the header line. A file with fewer complete lines is
// an error: a checkpoint never counts a row that was not written whole before it.
func truncateLines(path string, n int) (*os.File, string, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, "", err
	}
	r := bufio.NewReader(f)
	var off int64
	var header string
	for i := 0; i < n; i++ {
		line, err := r.ReadString('\n')
		if err != nil {
			f.Close()
			if err == io.EOF {
				return nil, "", fmt.Errorf("%s has %d complete lines, the checkpoint counts %d", path, i, n)
			}
			return nil, "", err
		}
		if i == 0 {
			header = strings.TrimSuffix(line, "\n")
		}
		off += int64(len(line))
	}
	if err := f.Truncate(off); err != nil {
		f.Close()
		return nil, "", err
	}
	if _, err := f.Seek(off, io.SeekStart); err != nil {
		f.Close()
		return nil, "", err
	}
	return f, header, nil
}

// ResumeMetrics reopens a metrics.csv to append to it after its first rows evaluation rows,
// dropping the rows written after them (an interrupted run's, which the resumed run writes
// again). Its header must be the one CreateMetrics writes for extra.
func ResumeMetrics(path string, rows int, extra ...string) (*MetricsWriter, error) {
	f, header, err := truncateLines(path, rows+1)
	if err != nil {
		return nil, err
	}
	if want := strings.Join(slices.Concat(MetricsHeader, extra), ","); header != want {
		f.Close()
		return nil, fmt.Errorf("%s: header %q, this run writes %q", path, header, want)
	}
	return &MetricsWriter{f: f, buf: make([]byte, 0, 256), extra: len(extra)}, nil
}

// ResumeTrajectory reopens a trajectory.csv of a dim-dimensional path to append to it after
// its first points points.
func ResumeTrajectory(path string, points, dim int) (*TrajectoryWriter, error) {
	f, header, err := truncateLines(path, points+1)
	if err != nil {
		return nil, err
	}
	var want bytes.Buffer
	want.WriteString("step,loss")
	for i := 1; i <= dim; i++ {
		fmt.Fprintf(&want, ",x%d", i)
	}
	if header != want.String() {
		f.Close()
		return nil, fmt.Errorf("%s: header %q, want %q", path, header, want.String())
	}
	return &TrajectoryWriter{f: f, w: bufio.NewWriterSize(f, 64<<10), buf: make([]byte, 0, 64+24*dim)}, nil
}
