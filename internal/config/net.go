package config

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/optimbench/optimbench/internal/model"
	"github.com/optimbench/optimbench/internal/param"
)

// The `kind: net` model (SPEC §7): `input: [C, H, W]` and a `layers:` list of small mappings,
// each named by its one kind key ({conv: 32, kernel: 5, padding: same}, {maxpool: 2},
// flatten, {dense: 10}, {dropout: 0.5}). The layers are decoded here, each against the keys of
// its kind below, and kept in the model block's values as the list of mappings config.yaml
// writes back (every key of the layer, defaults filled in; activation only when given).

var (
	netInputKey = param.Spec{Key: "input", Type: param.Ints, Range: param.AtLeast(1), OmitIfDefault: true,
		Derived: "[1, 28, 28] for mnist and fashion-mnist; required with conv or maxpool layers otherwise",
		Doc:     "the shape [C, H, W] of a sample (NCHW, as PyTorch): its product is the number of features"}
	netInitKey = func() param.Spec {
		k := initKey
		k.Doc = "auto = PyTorch's default of Conv2d and Linear (weights and biases U(±1/√fan_in)); xavier, he, normal, truncated_normal as for mlp with biases init_bias (fan_in = in·k·k); or {file: PATH}: a safetensors file (§10)"
		return k
	}()
	// netLayersKey is how config.yaml lists the layers; it is not in the kind's Params (a
	// list of mappings has no param.Type), SPEC §7 documents its syntax.
	netLayersKey = param.Spec{Key: "layers", Type: param.String, Doc: "the layers (SPEC §7)"}
)

var netKind = Choice{Name: "net", Params: []param.Spec{netInputKey,
	{Key: "activation", Type: param.Enum, Default: "relu", Choices: []string{"relu", "tanh", "sigmoid"},
		Doc: "activation of each conv and dense layer but the last, unless the layer sets its own"},
	lossKey, netInitKey, initStdKey, initBiasKey},
	Doc: "conv, maxpool, flatten, dense and dropout layers (`layers:`, SPEC §7), then the loss"}

var activationKey = param.Spec{Key: "activation", Type: param.Enum, Choices: []string{"relu", "tanh", "sigmoid"},
	Derived: "the model's activation", Doc: "the layer's activation"}

// layerKeys are the keys of each layer kind; the first names the kind.
var layerKeys = map[string][]param.Spec{
	"conv": {
		{Key: "conv", Type: param.Int, Range: param.AtLeast(1), Doc: "output channels"},
		{Key: "kernel", Type: param.Int, Range: param.AtLeast(1), Doc: "the kernel's side"},
		{Key: "stride", Type: param.Int, Default: 1, Range: param.AtLeast(1), Doc: "the stride"},
		{Key: "padding", Type: param.Enum, Default: "valid", Choices: []string{"valid", "same"}, Doc: "valid (none) or same (stride 1)"},
		activationKey},
	"maxpool": {
		{Key: "maxpool", Type: param.Int, Range: param.AtLeast(1), Doc: "the window's side k"},
		{Key: "stride", Type: param.Int, Range: param.AtLeast(1), Derived: "k", Doc: "the stride"}},
	"flatten": {{Key: "flatten", Type: param.Bool, Default: true, Doc: "flatten to C·H·W features"}},
	"dense":   {{Key: "dense", Type: param.Int, Range: param.AtLeast(1), Doc: "outputs"}, activationKey},
	"dropout": {{Key: "dropout", Type: param.Float, Range: param.Interval(0, 1, false, true), Doc: "the probability of zeroing an element"}},
}

// decodeLayers reads model.layers and returns the section without it, and the layers as
// config.yaml writes them.
func decodeLayers(s *Section) (*Section, []any, error) {
	l, ok, err := s.List("layers")
	if err != nil {
		return nil, nil, err
	}
	if !ok || len(l) == 0 {
		return nil, nil, s.Errf("layers", "required for kind net: a list of layers such as [{conv: 32, kernel: 5}, {maxpool: 2}, {dense: 10}]")
	}
	out := make([]any, len(l))
	for i, e := range l {
		if out[i], err = decodeLayer(s, i, e); err != nil {
			return nil, nil, err
		}
	}
	return s.without("layers"), out, nil
}

func decodeLayer(s *Section, i int, e any) (map[string]any, error) {
	path := s.key(fmt.Sprintf("layers[%d]", i))
	if e == "flatten" {
		e = map[string]any{"flatten": true}
	}
	ls, err := NewSection(s.file, path, e)
	if err != nil {
		return nil, err
	}
	kinds := model.LayerKinds()
	var kind string
	for _, k := range kinds {
		if ls.Has(k) {
			if kind != "" {
				return nil, ls.Errf("", "names two layers, %s and %s (one key of %s per layer)", kind, k, strings.Join(kinds, ", "))
			}
			kind = k
		}
	}
	if kind == "" {
		all := slices.Clone(kinds)
		for _, specs := range layerKeys {
			all = append(all, param.Keys(specs)...)
		}
		if err := ls.CheckKeys(kinds, func(k string) string {
			if slices.Contains(all, k) {
				return "a layer needs one of " + strings.Join(kinds, ", ")
			}
			return ""
		}); err != nil {
			return nil, err
		}
		return nil, ls.Errf("", "a layer needs one of %s, got %s", strings.Join(kinds, ", "), Describe(e))
	}
	notHere := func(k string) string {
		for _, other := range kinds {
			if param.Find(layerKeys[other], k) != nil {
				return fmt.Sprintf("does not apply to a %s layer (a key of %s)", kind, other)
			}
		}
		return ""
	}
	if err := ls.CheckKeys(param.Keys(layerKeys[kind]), notHere); err != nil {
		return nil, err
	}
	_, v, err := decodeKeys(ls, layerKeys[kind], nil, "layer "+kind, notHere)
	if err != nil {
		return nil, err
	}
	if kind == "flatten" && !v.Bool("flatten") {
		return nil, ls.Errf("flatten", "must be true (leave the layer out to not flatten)")
	}
	if kind == "maxpool" {
		if _, ok := v["stride"]; !ok {
			v["stride"] = v.Int("maxpool")
		}
	}
	return map[string]any(v), nil
}

// finishNet completes a net's block after its keys are decoded: the layers, the input's
// default for the image sources, and the shapes, checked now when the data's shape is known
// from the configuration (model.New checks them against the data otherwise).
func finishNet(s *Section, d *Block, specs []param.Spec, v param.Values, layers []any) ([]param.Spec, error) {
	v["layers"] = layers
	i := slices.IndexFunc(specs, func(p param.Spec) bool { return p.Key == "input" })
	specs = slices.Insert(specs, i+1, netLayersKey)
	image := d.Name == "mnist" || d.Name == "fashion-mnist"
	if _, ok := v["input"]; !ok && image {
		v["input"] = []int{1, 28, 28}
	}
	spec := netSpec(v)
	if len(spec.Input) == 0 && slices.ContainsFunc(spec.Layers, func(l model.Layer) bool { return l.Kind == "conv" || l.Kind == "maxpool" }) {
		return nil, s.Errf("input", "required with conv and maxpool layers for source %s: the [C, H, W] of a sample", d.Name)
	}
	err := spec.Validate()
	if err == nil && len(spec.Input) == 3 {
		in := spec.Input[0] * spec.Input[1] * spec.Input[2]
		if image && in != 28*28 {
			return nil, s.Errf("input", "%v has %d values, but %s images have 784 (1×28×28)", spec.Input, in, d.Name)
		}
		classes := -1 // not known before the data are read
		if image {
			classes = 10
		}
		err = spec.CheckShapes(in, classes)
	}
	var se *model.SpecError
	if errors.As(err, &se) {
		return nil, s.Errf(se.Key, "%s", se.Msg)
	}
	return specs, err
}

// netSpec fills the net's part of a model.Spec from the block's values.
func netSpec(v param.Values) model.Spec {
	s := model.Spec{Kind: "net", Loss: v.String("loss")}
	s.Activation, _ = v["activation"].(string)
	s.Input, _ = v["input"].([]int)
	s.Input = slices.Clone(s.Input)
	list, _ := v["layers"].([]any)
	for _, e := range list {
		m, _ := e.(map[string]any)
		var l model.Layer
		for _, k := range model.LayerKinds() {
			if _, ok := m[k]; ok {
				l.Kind = k
			}
		}
		switch l.Kind {
		case "dropout":
			l.P, _ = m["dropout"].(float64)
		case "flatten":
		default:
			l.Size, _ = m[l.Kind].(int)
		}
		l.Kernel, _ = m["kernel"].(int)
		l.Stride, _ = m["stride"].(int)
		l.Padding, _ = m["padding"].(string)
		l.Activation, _ = m["activation"].(string)
		s.Layers = append(s.Layers, l)
	}
	return s
}

// modelKindsWith names the model kinds that take key k, for "use kind: …".
func modelKindsWith(k string) string {
	if k == "layers" {
		return "net"
	}
	var names []string
	for _, c := range modelKinds {
		if param.Find(c.Params, k) != nil {
			names = append(names, c.Name)
		}
	}
	return strings.Join(names, " or ")
}
