package textproc

import (
	"reflect"
	"strings"
	"testing"
)

func TestSentences(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"plain", "Huawei is cheap. It also spies! Does it?", []string{"Huawei is cheap.", "It also spies!", "Does it?"}},
		{"title abbreviation", "Mr. Smith and Dr. Jones agree. Nobody else does.", []string{"Mr. Smith and Dr. Jones agree.", "Nobody else does."}},
		{"initials", "J. R. Martin wrote it. I read it.", []string{"J. R. Martin wrote it.", "I read it."}},
		{"e.g. inside", "Small vendors, e.g. Nokia, can compete. Sure.", []string{"Small vendors, e.g. Nokia, can compete.", "Sure."}},
		{"U.S. before a name", "The U.S. Congress acted. Then nothing.", []string{"The U.S. Congress acted.", "Then nothing."}},
		{"U.S. at the end", "It was made in the U.S. The rest came later.", []string{"It was made in the U.S.", "The rest came later."}},
		{"decimal and version", "Prices rose 3.5 percent in v2.0 kits. Odd.", []string{"Prices rose 3.5 percent in v2.0 kits.", "Odd."}},
		{"ellipsis and mixed marks", "Well... maybe?! Who knows.", []string{"Well... maybe?!", "Who knows."}},
		{"closing quote stays", `He said "no." Then he left.`, []string{`He said "no."`, "Then he left."}},
		{"line breaks", "First point\nSecond point\n\nThird.", []string{"First point", "Second point", "Third."}},
		{"lower case after stop", "see e.g. this. and that", []string{"see e.g. this. and that"}},
		{"no. before a number", "Item No. 5 is wrong. Fix it.", []string{"Item No. 5 is wrong.", "Fix it."}},
		{"white space only", "   \n\t ", nil},
		{"url", "Read example.com/a.b now. Done.", []string{"Read example.com/a.b now.", "Done."}},
		{"non-ASCII", "Köln ist schön. Ja!", []string{"Köln ist schön.", "Ja!"}},
		{"glued after a lost line break", "Steven Harper.Trying to compare is odd. See U.S.A. rules.", []string{"Steven Harper.", "Trying to compare is odd.", "See U.S.A. rules."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, sp := range Sentences(tt.in) {
				got = append(got, tt.in[sp.Start:sp.End])
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Sentences(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestWords(t *testing.T) {
	tests := []struct {
		in   string
		want []string
		caps []bool
	}{
		{"Huawei's gear isn't bad", []string{"huawei", "gear", "isn't", "bad"}, []bool{true, false, false, false}},
		{"don’t TRUST them—ever", []string{"don't", "trust", "them", "ever"}, []bool{false, true, false, false}},
		{"5G, 3am & e-mail", []string{"5g", "3am", "e", "mail"}, []bool{false, false, false, false}},
		{"Zürich’s ÉCOLE", []string{"zürich", "école"}, []bool{true, true}},
		{"'quoted' words'", []string{"quoted", "words"}, []bool{false, false}},
		{"🙂 ok", []string{"ok"}, []bool{false}},
	}
	for _, tt := range tests {
		var got []string
		var caps []bool
		Words(tt.in, func(lower []byte, w Word) {
			got = append(got, string(lower))
			caps = append(caps, w.Capital)
			if w.Start < 0 || w.End > len(tt.in) || w.Start >= w.End {
				t.Errorf("Words(%q): bad range %d..%d", tt.in, w.Start, w.End)
			}
		})
		if !reflect.DeepEqual(got, tt.want) || !reflect.DeepEqual(caps, tt.caps) {
			t.Errorf("Words(%q) = %q %v, want %q %v", tt.in, got, caps, tt.want, tt.caps)
		}
	}
}

func TestNegatorsAndStopWords(t *testing.T) {
	for _, w := range []string{"not", "never", "isn't", "don't", "nobody", "without"} {
		if !IsNegator(w) {
			t.Errorf("IsNegator(%q) = false", w)
		}
	}
	for _, w := range []string{"note", "nothings", "ban", "n't"} {
		if IsNegator(w) && w != "n't" {
			t.Errorf("IsNegator(%q) = true", w)
		}
	}
	if !IsStopWord("the") || IsStopWord("huawei") {
		t.Error("stop words: the should be one, huawei not")
	}
	if got := Stem("banning"); got != "ban" {
		t.Errorf("Stem(banning) = %q", got)
	}
}

func TestQuotedSpans(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{`He called him "a good, great guy" and left.`, []string{"a good, great guy"}},
		{`“Fake news” they said, «vraiment».`, []string{"Fake news", "vraiment"}},
		{`'The corporate community'Good gawd, don't you see?`, []string{"The corporate community"}},
		{`I don't think it's 'settled science', frankly.`, []string{"settled science"}},
		{`An open "quote never closes`, nil},
		{`Trump's word and the judges' ruling`, nil},
	} {
		var got []string
		for _, sp := range QuotedSpans(nil, tc.in) {
			got = append(got, tc.in[sp.Start:sp.End])
		}
		if strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("QuotedSpans(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
