package discordfake

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"
)

// Validate checks a message as Discord does before accepting it: the limits
// on content and embeds (counted in code points, as Discord's API counts
// them, after trimming surrounding white space), that it is not empty, and
// that every attachment:// reference names an uploaded file.
func Validate(p Payload, files []File) error {
	var errs []error
	if n := length(p.Content); n > 2000 {
		errs = append(errs, fmt.Errorf("content: %d characters, at most 2000", n))
	}
	if p.Content == "" && len(p.Embeds) == 0 && len(files) == 0 {
		errs = append(errs, errors.New("cannot send an empty message"))
	}
	if len(p.Embeds) > 10 {
		errs = append(errs, fmt.Errorf("embeds: %d, at most 10", len(p.Embeds)))
	}
	uploaded := make(map[string]bool)
	for _, f := range files {
		uploaded[f.Filename] = true
	}
	total := 0
	for i, e := range p.Embeds {
		at := fmt.Sprintf("embeds[%d]", i)
		check := func(field, s string, max int) {
			n := length(s)
			total += n
			if n > max {
				errs = append(errs, fmt.Errorf("%s.%s: %d characters, at most %d", at, field, n, max))
			}
		}
		check("title", e.Title, 256)
		check("description", e.Description, 4096)
		if e.Footer != nil {
			check("footer.text", e.Footer.Text, 2048)
		}
		if e.Author != nil {
			check("author.name", e.Author.Name, 256)
		}
		if len(e.Fields) > 25 {
			errs = append(errs, fmt.Errorf("%s.fields: %d, at most 25", at, len(e.Fields)))
		}
		for j, f := range e.Fields {
			if strings.TrimSpace(f.Name) == "" || strings.TrimSpace(f.Value) == "" {
				errs = append(errs, fmt.Errorf("%s.fields[%d]: name and value are required", at, j))
			}
			check(fmt.Sprintf("fields[%d].name", j), f.Name, 256)
			check(fmt.Sprintf("fields[%d].value", j), f.Value, 1024)
		}
		if e.Image != nil {
			if name, ok := strings.CutPrefix(e.Image.URL, "attachment://"); ok && !uploaded[name] {
				errs = append(errs, fmt.Errorf("%s.image: attachment://%s was not uploaded", at, name))
			}
		}
	}
	if total > 6000 {
		errs = append(errs, fmt.Errorf("embeds: %d characters in all, at most 6000", total))
	}
	return errors.Join(errs...)
}

func length(s string) int { return utf8.RuneCountInString(strings.TrimSpace(s)) }

// validateCommands checks application commands as Discord does, for the
// rules a registration is most likely to break.
func validateCommands(cmds []*discordgo.ApplicationCommand) error {
	var errs []error
	for i, c := range cmds {
		errs = append(errs, checkName(fmt.Sprintf("[%d]", i), c.Name))
		if c.Type == 0 || c.Type == discordgo.ChatApplicationCommand {
			if n := length(c.Description); n < 1 || n > 100 {
				errs = append(errs, fmt.Errorf("[%d].description: 1 to 100 characters", i))
			}
		}
		errs = append(errs, checkOptions(fmt.Sprintf("[%d]", i), c.Options))
	}
	return errors.Join(errs...)
}

func checkOptions(at string, opts []*discordgo.ApplicationCommandOption) error {
	var errs []error
	if len(opts) > 25 {
		errs = append(errs, fmt.Errorf("%s.options: at most 25", at))
	}
	seenOptional := false
	for i, o := range opts {
		oat := fmt.Sprintf("%s.options[%d]", at, i)
		errs = append(errs, checkName(oat, o.Name))
		if n := length(o.Description); n < 1 || n > 100 {
			errs = append(errs, fmt.Errorf("%s.description: 1 to 100 characters", oat))
		}
		if o.Autocomplete && len(o.Choices) > 0 {
			errs = append(errs, fmt.Errorf("%s: autocomplete and choices are exclusive", oat))
		}
		switch o.Type {
		case discordgo.ApplicationCommandOptionSubCommand, discordgo.ApplicationCommandOptionSubCommandGroup:
			errs = append(errs, checkOptions(oat, o.Options))
		default:
			if o.Required && seenOptional {
				errs = append(errs, fmt.Errorf("%s: required options must come before optional ones", oat))
			}
			if !o.Required {
				seenOptional = true
			}
		}
	}
	return errors.Join(errs...)
}

func checkName(at, name string) error {
	if n := utf8.RuneCountInString(name); n < 1 || n > 32 || name != strings.ToLower(name) || strings.ContainsAny(name, " \t") {
		return fmt.Errorf("%s.name %q: 1 to 32 lower-case characters without spaces", at, name)
	}
	return nil
}
