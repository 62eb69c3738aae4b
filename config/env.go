package config

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// overrides lists the environment variables that replace single keys, by
// variable. They win over the file, so a deployment can keep every secret out
// of it. Boolean values are "true" or "false"; durations like "30s".
var overrides = []struct {
	Var, Key string
}{
	{"THREADDIGEST_STORE_URL", "store.url"},
	{"THREADDIGEST_STORE_LEASE", "store.lease"},
	{"THREADDIGEST_HTTP_LISTEN", "http.listen"},
	{"THREADDIGEST_REPLICA_ID", "bot.replica_id"},
	{"THREADDIGEST_TIMEZONE", "bot.timezone"},
	{"THREADDIGEST_HOME_COUNTRY", "bot.home_country"},
	{"THREADDIGEST_LOG_LEVEL", "log.level"},
	{"THREADDIGEST_LOG_FORMAT", "log.format"},
	{"THREADDIGEST_SLACK_BOT_TOKEN", "slack.bot_token"},
	{"THREADDIGEST_SLACK_SIGNING_SECRET", "slack.signing_secret"},
	{"THREADDIGEST_SLACK_APP_TOKEN", "slack.app_token"},
	{"THREADDIGEST_SLACK_SOCKET_MODE", "slack.socket_mode"},
	{"THREADDIGEST_SLACK_API_URL", "slack.api_url"},
	{"THREADDIGEST_DISCORD_BOT_TOKEN", "discord.bot_token"},
	{"THREADDIGEST_DISCORD_PUBLIC_KEY", "discord.public_key"},
	{"THREADDIGEST_DISCORD_APPLICATION_ID", "discord.application_id"},
	{"THREADDIGEST_DISCORD_GATEWAY", "discord.gateway"},
	{"THREADDIGEST_DISCORD_API_URL", "discord.api_url"},
	{"THREADDIGEST_ANALYSIS_ENGINE", "analysis.engine"},
	{"THREADDIGEST_LLM_BASE_URL", "llm.base_url"},
	{"THREADDIGEST_LLM_MODEL", "llm.model"},
	{"THREADDIGEST_LLM_API_KEY", "llm.api_key"},
}

// Overrides returns the THREADDIGEST_… variables and the key each replaces,
// for documentation and `check-config`.
func Overrides() [][2]string {
	out := make([][2]string, len(overrides))
	for i, o := range overrides {
		out[i] = [2]string{o.Var, o.Key}
	}
	return out
}

// expandString replaces ${VAR} in a value by the variable's value; "$$"
// stands for a literal "$". A variable that is unset or empty is a problem:
// a missing token would otherwise surface much later as a 401. decode
// applies it to every string value of the file.
func expandString(s string, getenv func(string) string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '$' {
			b.WriteByte(s[i])
			continue
		}
		switch {
		case strings.HasPrefix(s[i:], "$$"):
			b.WriteByte('$')
			i++
		case strings.HasPrefix(s[i:], "${"):
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				return "", fmt.Errorf("unclosed ${ in the value: expected ${NAME}")
			}
			name := s[i+2 : i+end]
			if !validVarName(name) {
				return "", fmt.Errorf("${%s}: expected an environment variable name (letters, digits, _)", name)
			}
			val := getenv(name)
			if val == "" {
				return "", fmt.Errorf("environment variable %s is not set (the value refers to ${%s})", name, name)
			}
			b.WriteString(val)
			i += end
		default:
			b.WriteByte('$')
		}
	}
	return b.String(), nil
}

func validVarName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if r == '_' || (r >= 'A' && r <= 'Z') || (r >= 'a' && r <= 'z') || (i > 0 && r >= '0' && r <= '9') {
			continue
		}
		return false
	}
	return true
}

// applyOverrides sets the keys named by THREADDIGEST_… variables.
func (c *Config) applyOverrides(getenv func(string) string) Problems {
	var ps Problems
	for _, o := range overrides {
		val := getenv(o.Var)
		if val == "" {
			continue
		}
		f, ok := fieldByPath(reflect.ValueOf(c).Elem(), o.Key)
		if !ok {
			continue
		}
		if err := setFromString(f, val); err != nil {
			ps = append(ps, Problem{File: "environment", Key: o.Var, Msg: fmt.Sprintf("sets %s: %v", o.Key, err)})
		}
	}
	return ps
}

func setFromString(f reflect.Value, val string) error {
	if u, ok := f.Addr().Interface().(interface{ UnmarshalText([]byte) error }); ok {
		return u.UnmarshalText([]byte(val))
	}
	switch f.Kind() {
	case reflect.String:
		f.SetString(val)
	case reflect.Bool:
		b, err := strconv.ParseBool(val)
		if err != nil {
			return fmt.Errorf("%q is not a boolean: expected true or false", val)
		}
		f.SetBool(b)
	case reflect.Int:
		n, err := strconv.Atoi(val)
		if err != nil {
			return fmt.Errorf("%q is not an integer", val)
		}
		f.SetInt(int64(n))
	default:
		return fmt.Errorf("cannot be set from the environment")
	}
	return nil
}

// fieldByPath finds a field of a struct by its dotted TOML key path (no
// indexes).
func fieldByPath(v reflect.Value, path string) (reflect.Value, bool) {
	for _, name := range strings.Split(path, ".") {
		if v.Kind() != reflect.Struct {
			return reflect.Value{}, false
		}
		found := false
		for i := 0; i < v.NumField(); i++ {
			if tomlName(v.Type().Field(i)) == name {
				v = v.Field(i)
				found = true
				break
			}
		}
		if !found {
			return reflect.Value{}, false
		}
	}
	return v, true
}

func tomlName(f reflect.StructField) string {
	if !f.IsExported() {
		return ""
	}
	name, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
	if name == "-" {
		return ""
	}
	if name == "" {
		return f.Name
	}
	return name
}
