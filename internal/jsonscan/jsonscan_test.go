package jsonscan

import (
	"encoding/json"
	"testing"
)

func TestValueEnd(t *testing.T) {
	tests := []struct {
		in   string
		want string // the value ValueEnd should find at the start of in
	}{
		{`"plain" , 1`, `"plain"`},
		{`"a \" quote"}`, `"a \" quote"`},
		{`"ends in a backslash \\"]`, `"ends in a backslash \\"`},
		{`"three \\\" then"x`, `"three \\\" then"`},
		{`{"a": [1, "]}", {"b": "}"}]} tail`, `{"a": [1, "]}", {"b": "}"}]}`},
		{`[[], {}, "[" ] ,`, `[[], {}, "[" ]`},
		{`-12.5e3,`, `-12.5e3`},
		{`true}`, `true`},
		{`null`, `null`},
		{`"unterminated`, `"unterminated`},
		{``, ``},
	}
	for _, tt := range tests {
		got := string([]byte(tt.in)[:ValueEnd([]byte(tt.in), 0)])
		if got != tt.want {
			t.Errorf("ValueEnd(%q) took %q, want %q", tt.in, got, tt.want)
		}
		if tt.want != "" && tt.want != `"unterminated` && !json.Valid([]byte(tt.want)) {
			t.Errorf("test value %q is not valid JSON", tt.want)
		}
	}
}

func TestSpace(t *testing.T) {
	b := []byte(" \t\r\n x ")
	if got := Space(b, 0); got != 5 {
		t.Errorf("Space = %d, want 5", got)
	}
	if got := Space(b, 6); got != 7 {
		t.Errorf("Space at the trailing blank = %d, want 7 (the end)", got)
	}
}
