package suggest

import "testing"

func TestDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{{"", "", 0}, {"adam", "adam", 0}, {"adamm", "adam", 1}, {"trian", "train", 2}, {"", "abc", 3}, {"kitten", "sitting", 3}} {
		if got := Distance(tc.a, tc.b); got != tc.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestClosest(t *testing.T) {
	opts := []string{"optimizer", "schedule", "train", "data", "model", "beta1", "momentum_decay"}
	for _, tc := range []struct{ word, want string }{
		{"optimiser", "optimizer"},
		{"trian", "train"},
		{"Schedule", "schedule"},
		{"beta_1", "beta1"},
		{"momentum_dec", "momentum_decay"},
		{"zzz", ""},
		{"completely_unrelated", ""},
	} {
		if got := Closest(tc.word, opts); got != tc.want {
			t.Errorf("Closest(%q) = %q, want %q", tc.word, got, tc.want)
		}
	}
}
