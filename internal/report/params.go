package report

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ReadConfigParams reads a run's config.yaml into its scalars by dotted key (optimizer.lr,
// model.hidden, seed, …), each value as config.yaml writes it: numbers in full precision,
// lists as [256, 128].
func ReadConfigParams(path string) (map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc map[string]any
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	out := map[string]string{}
	flatten("", doc, out)
	return out, nil
}

func flatten(prefix string, v any, out map[string]string) {
	switch m := v.(type) {
	case map[string]any:
		for k, sv := range m {
			key := k
			if prefix != "" {
				key = prefix + "." + k
			}
			flatten(key, sv, out)
		}
	default:
		if prefix != "" {
			out[prefix] = formatParam(v)
		}
	}
}

func formatParam(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = formatParam(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	default:
		return fmt.Sprint(x)
	}
}
