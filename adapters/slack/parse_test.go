package slack

import (
	"fmt"
	"testing"
)

func TestParseCommandText(t *testing.T) {
	tests := []struct {
		in   string
		sub  string
		args []string
	}{
		{"", "", nil},
		{"   ", "", nil},
		{"help", "help", nil},
		{"STANCE", "stance", nil},
		{"stance huawei-europe", "stance", []string{"huawei-europe"}},
		{`stance huawei-europe "Deutsche Telekom"`, "stance", []string{"huawei-europe", "Deutsche Telekom"}},
		{"stance 'Deutsche Telekom'", "stance", []string{"Deutsche Telekom"}},
		{"stance “Deutsche Telekom”", "stance", []string{"Deutsche Telekom"}},
		{"stance ‘Deutsche Telekom’", "stance", []string{"Deutsche Telekom"}},
		{"stance „Deutsche Telekom“", "stance", []string{"Deutsche Telekom"}},
		{"stance O’Neil’s", "stance", []string{"O’Neil’s"}},
		{`stance "unclosed quote`, "stance", []string{"unclosed quote"}},
		{`stance ""`, "stance", []string{""}},
		{"digest  since\t24h", "digest", []string{"since", "24h"}},
		{"follow <https://news.example.com/t/5g-ban/123|news.example.com/t/5g-ban/123> 0 8 * * 1-5", "follow",
			[]string{"https://news.example.com/t/5g-ban/123", "0", "8", "*", "*", "1-5"}},
		{"follow <https://news.example.com/x>", "follow", []string{"https://news.example.com/x"}},
		{"stance <!channel>", "stance", []string{"<!channel>"}},
	}
	for _, tt := range tests {
		sub, args := ParseCommandText(tt.in)
		if sub != tt.sub || fmt.Sprintf("%q", args) != fmt.Sprintf("%q", tt.args) {
			t.Errorf("ParseCommandText(%q) = %q %q, want %q %q", tt.in, sub, args, tt.sub, tt.args)
		}
	}
}
