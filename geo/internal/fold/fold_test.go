package fold

import "testing"

func TestKey(t *testing.T) {
	for in, want := range map[string]string{
		"Boulder, Co":         "boulder co",
		"köln":                "koln",
		"München":             "munchen",
		"N.Y.":                "ny",
		"U.S.A.":              "usa",
		"N. Y":                "ny",
		"St. Louis":           "st louis",
		"Saint-Louis":         "st louis",
		"Mount Dora":          "mt dora",
		"Mt Dora":             "mt dora",
		"Fort Worth":          "ft worth",
		"Don't":               "dont",
		"Hawke’s Bay":         "hawkes bay",
		"Winston-Salem":       "winston salem",
		"Straße":              "strasse",
		"Łódź":                "lodz",
		"  Hillsborough,  NJ": "hillsborough nj",
		"#AnnArbor":           "ann arbor",
		"@handle Paris":       "paris",
		"Москва":              "москва",
		"":                    "",
		"...":                 "",
	} {
		if got := Key(in); got != want {
			t.Errorf("Key(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTokenize(t *testing.T) {
	toks := Tokenize("Boulder, CO / Calif. #AnnArbor", nil)
	want := []struct {
		norm string
		sep  Sep
		c    Case
		dot  bool
		hash bool
	}{
		{"boulder", SepNone, Title, false, false},
		{"co", SepComma, Upper, false, false},
		{"calif", SepBreak, Title, true, false},
		{"ann", SepSpace, Title, false, true},
		{"arbor", SepSpace, Title, false, true},
	}
	if len(toks) != len(want) {
		t.Fatalf("Tokenize gave %d tokens %+v, want %d", len(toks), toks, len(want))
	}
	for i, w := range want {
		got := toks[i]
		if got.Norm != w.norm || got.Sep != w.sep || got.Case != w.c || got.Dot != w.dot || got.Hash != w.hash {
			t.Errorf("token %d = %+v, want %+v", i, got, w)
		}
	}
	// Offsets point back into the input.
	s := "Tel Aviv, IL"
	for _, tk := range Tokenize(s, nil) {
		if Key(s[tk.Start:tk.End]) != tk.Norm {
			t.Errorf("token %q spans %q", tk.Norm, s[tk.Start:tk.End])
		}
	}
}
