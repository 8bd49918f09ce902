package report

import (
	"bytes"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Mapping is a YAML mapping whose keys keep the order they are added in: config.yaml and
// sweep.yaml list their keys in a fixed, documented order.
type Mapping struct{ n *yaml.Node }

// NewMapping returns an empty mapping; flow writes it on one line ({a: 1, b: 2}).
func NewMapping(flow bool) Mapping {
	m := Mapping{&yaml.Node{Kind: yaml.MappingNode}}
	if flow {
		m.n.Style = yaml.FlowStyle
	}
	return m
}

// Add appends key k with value v (a Mapping, or a value Node accepts).
func (m Mapping) Add(k string, v any) { m.n.Content = append(m.n.Content, scalar("!!str", k), Node(v)) }

// Len is the number of keys.
func (m Mapping) Len() int { return len(m.n.Content) / 2 }

// Node is the YAML form of a configuration value: numbers in full precision (floats keep a
// decimal point, so that they read back as floats), lists in flow style, mappings with their
// keys sorted.
func Node(v any) *yaml.Node {
	switch x := v.(type) {
	case Mapping:
		return x.n
	case *yaml.Node:
		return x
	case nil:
		return scalar("!!null", "null")
	case string:
		return scalar("!!str", x)
	case bool:
		return scalar("!!bool", strconv.FormatBool(x))
	case int:
		return scalar("!!int", strconv.Itoa(x))
	case int64:
		return scalar("!!int", strconv.FormatInt(x, 10))
	case uint64:
		return scalar("!!int", strconv.FormatUint(x, 10))
	case float64:
		return scalar("!!float", formatFloat(x))
	case []int:
		seq := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
		for _, e := range x {
			seq.Content = append(seq.Content, Node(e))
		}
		return seq
	case []float64:
		seq := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
		for _, e := range x {
			seq.Content = append(seq.Content, Node(e))
		}
		return seq
	case []any:
		seq := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
		for _, e := range x {
			seq.Content = append(seq.Content, Node(e))
		}
		return seq
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		m := &yaml.Node{Kind: yaml.MappingNode}
		for _, k := range keys {
			m.Content = append(m.Content, scalar("!!str", k), Node(x[k]))
		}
		return m
	}
	return scalar("!!str", fmt.Sprint(v))
}

func scalar(tag, v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: v} }

func formatFloat(x float64) string {
	s := strconv.FormatFloat(x, 'g', -1, 64)
	if !strings.ContainsAny(s, ".eEn") { // keep it a float when read back: 1 → 1.0
		s += ".0"
	}
	return s
}

// EncodeYAML writes v (a Mapping, a node, or a struct with yaml tags) as a YAML document,
// indented by two spaces.
func EncodeYAML(v any) ([]byte, error) {
	if m, ok := v.(Mapping); ok {
		v = m.n
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	enc.Close()
	return buf.Bytes(), nil
}

// YAMLMessage shortens a YAML error to its useful part ("yaml: line 3: …"), on one line.
func YAMLMessage(err error) string {
	msg := strings.ReplaceAll(err.Error(), "\n", " ")
	if i := strings.Index(msg, "yaml:"); i >= 0 {
		msg = msg[i:]
	}
	if msg == "" {
		msg = "not a YAML mapping"
	}
	return msg
}
