package config

import (
	"net/url"
	"reflect"
	"strings"

	"github.com/threaddigest/threaddigest/bot/addr"
	"github.com/threaddigest/threaddigest/source/jsonapi"
)

// RedactedValue replaces a secret in the copy Redacted returns.
const RedactedValue = "REDACTED"

// Redacted returns a copy fit for logs and `check-config --print`: tokens and
// secrets replaced by REDACTED, the password of the store URL removed, and
// webhook URLs cut to their host (the parsed Digest.Destinations left out).
func (c *Config) Redacted() *Config {
	cp := *c
	cp.Threads = append([]Thread(nil), c.Threads...)
	cp.Channels = append([]Channel(nil), c.Channels...)
	cp.Digests = make([]Digest, len(c.Digests))
	for i, d := range c.Digests {
		d.To = append([]string(nil), d.To...)
		for j, to := range d.To {
			d.To[j] = addr.Redact(to)
		}
		// The parsed destinations hold the webhook URLs whole; the copy
		// is for printing, which reads To.
		d.Destinations = nil
		cp.Digests[i] = d
	}
	// Headers of JSON sources carry API keys and bearer tokens.
	if c.Sources.JSON != nil {
		cp.Sources.JSON = make(map[string]jsonapi.Mapping, len(c.Sources.JSON))
		for name, m := range c.Sources.JSON {
			if len(m.Headers) > 0 {
				h := make(map[string]string, len(m.Headers))
				for k := range m.Headers {
					h[k] = RedactedValue
				}
				m.Headers = h
			}
			cp.Sources.JSON[name] = m
		}
	}
	redactSecrets(reflect.ValueOf(&cp).Elem())
	return &cp
}

func redactSecrets(v reflect.Value) {
	for i := 0; i < v.NumField(); i++ {
		f, sf := v.Field(i), v.Type().Field(i)
		if !sf.IsExported() {
			continue
		}
		switch {
		case f.Kind() == reflect.Struct:
			redactSecrets(f)
		case f.Kind() == reflect.String && f.String() != "":
			switch sf.Tag.Get("secret") {
			case "true":
				f.SetString(RedactedValue)
			case "url":
				f.SetString(RedactURL(f.String()))
			}
		}
	}
}

// RedactURL removes the password from a URL ("postgres://u:pw@h/db") and
// any password=… parameter; other text is returned as it is.
func RedactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" {
		return s
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), RedactedValue)
	}
	q := u.Query()
	for k := range q {
		if strings.EqualFold(k, "password") {
			q.Set(k, RedactedValue)
			u.RawQuery = q.Encode()
		}
	}
	return u.String()
}
