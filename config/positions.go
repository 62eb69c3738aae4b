package config

import (
	"fmt"
	"strings"

	"github.com/pelletier/go-toml/v2/unstable"
)

// keyLines maps every key of the document to its line. The decoder does not
// say where a value came from, so the document is walked once with the
// parser's AST, which does: paths index [[arrays]] of tables and arrays of
// values from 1 ("digest[2].to[1]"), as problems name them.
func keyLines(data []byte) (map[string]int, error) {
	lines := make(map[string]int)
	var p unstable.Parser
	p.Reset(data)
	arrays := make(map[string]int) // [[table]] path -> entries seen
	current := ""
	for p.NextExpression() {
		e := p.Expression()
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			parts := keyParts(e)
			path := ""
			for i, part := range parts {
				path = join(path, part)
				if i == len(parts)-1 && e.Kind == unstable.ArrayTable {
					arrays[stripIndexes(path)]++
					path = fmt.Sprintf("%s[%d]", path, arrays[stripIndexes(path)])
				} else if n := arrays[stripIndexes(path)]; n > 0 {
					path = fmt.Sprintf("%s[%d]", path, n)
				}
			}
			current = path
			if k := e.Child(); k != nil {
				lines[current] = line(&p, k.Raw)
			}
		case unstable.KeyValue:
			recordKeyValue(&p, e, current, lines)
		}
	}
	return lines, p.Error()
}

func recordKeyValue(p *unstable.Parser, kv *unstable.Node, prefix string, lines map[string]int) {
	path := prefix
	it := kv.Key()
	first := true
	for it.Next() {
		k := it.Node()
		path = join(path, string(k.Data))
		if first {
			lines[path] = line(p, k.Raw)
			first = false
		}
	}
	keyLine := 0
	if k := kv.Key(); k.Next() {
		keyLine = line(p, k.Node().Raw)
	}
	lines[path] = keyLine
	recordValue(p, kv.Value(), path, keyLine, lines)
}

func recordValue(p *unstable.Parser, v *unstable.Node, path string, keyLine int, lines map[string]int) {
	switch v.Kind {
	case unstable.InlineTable:
		it := v.Children()
		for it.Next() {
			if n := it.Node(); n.Kind == unstable.KeyValue {
				recordKeyValue(p, n, path, lines)
			}
		}
	case unstable.Array:
		i := 0
		it := v.Children()
		for it.Next() {
			n := it.Node()
			if n.Kind == unstable.Comment {
				continue
			}
			i++
			elem := fmt.Sprintf("%s[%d]", path, i)
			l := keyLine
			if n.Raw.Length > 0 {
				l = line(p, n.Raw)
			}
			lines[elem] = l
			recordValue(p, n, elem, l, lines)
		}
	}
}

func keyParts(n *unstable.Node) []string {
	var parts []string
	it := n.Key()
	for it.Next() {
		parts = append(parts, string(it.Node().Data))
	}
	return parts
}

func line(p *unstable.Parser, r unstable.Range) int {
	if r.Length == 0 && r.Offset == 0 {
		return 0
	}
	return p.Shape(r).Start.Line
}

func join(prefix, key string) string {
	if prefix == "" {
		return key
	}
	if strings.ContainsAny(key, ".[] ") {
		key = fmt.Sprintf("%q", key)
	}
	return prefix + "." + key
}
