// Command licgen writes licenses/THIRD_PARTY.txt: the licence texts of the
// third-party Go modules linked into cmd/threaddigest. It runs only when a
// developer runs `go generate ./licenses`; the binary embeds the file it
// writes.
//
// The modules are exactly those of the packages cmd/threaddigest imports,
// directly or not (`go list -deps`, standard library and our own module
// left out), not everything go.sum names. The set depends on the target
// (golang.org/x/sys picks different files, go-isatty is linked only outside
// Linux), so licgen lists the union over the release targets below, built
// as the Dockerfile builds (CGO_ENABLED=0, -tags timetzdata), and marks a
// module linked on some targets only.
//
// Each module's licence files are read from the module cache: the files at
// its root named LICENSE, LICENCE, COPYING, NOTICE, PATENTS, UNLICENSE or
// COPYRIGHT (any case, any suffix: LICENSE.md, LICENSE-SQLITE), and the files
// of a licenses/ folder at its root. A module with none fails the run,
// naming it. The go command runs with GOPROXY=off and -mod=readonly: licgen
// never downloads; a module missing from the cache is an error that says
// to run `go mod download`.
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// mainPackage is the binary whose modules are listed.
const mainPackage = "github.com/threaddigest/threaddigest/cmd/threaddigest"

// buildTags are the tags the Dockerfile builds with.
const buildTags = "timetzdata"

// targets are the GOOS/GOARCH pairs the binary is built for; the file
// covers the union of their modules.
var targets = []string{
	"linux/amd64", "linux/arm64",
	"darwin/amd64", "darwin/arm64",
	"windows/amd64", "windows/arm64",
	"freebsd/amd64",
}

// licenceName matches the names of licence and notice files at a module's
// root.
var licenceName = regexp.MustCompile(`(?i)^(licen[cs]e|copying|notice|patents|unlicense|copyright)([._-].*)?$`)

// licenceDir matches a folder at a module's root whose files are all
// licence texts (golang/freetype keeps its two there).
var licenceDir = regexp.MustCompile(`(?i)^licen[cs]es$`)

// errNotInCache marks a module the module cache lacks: the test skips on
// it rather than fail (or reach the network).
var errNotInCache = errors.New("not in the module cache")

// module is one third-party module linked into the binary.
type module struct {
	Path, Version string
	// Replace is "path version" of a replacement, "" when none.
	Replace string
	// Dir is the module's folder in the module cache.
	Dir string
	// Targets are the targets linking it; nil when all do.
	Targets []string
}

// id is how the module is named in the file: "path version", and the
// replacement when there is one.
func (m module) id() string {
	s := m.Path + " " + m.Version
	if m.Replace != "" {
		s += " => " + m.Replace
	}
	return s
}

// licenceFile is one licence or notice file of a module.
type licenceFile struct {
	Name string // relative to the module's root, slash-separated
	Text []byte
}

func main() {
	if err := run(os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "licgen:", err)
		os.Exit(1)
	}
}

func run(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("licgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "THIRD_PARTY.txt", "file to write")
	if err := fs.Parse(args); err != nil {
		return err
	}
	text, mods, files, err := generate()
	if err != nil {
		return err
	}
	if err := os.WriteFile(*out, text, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "licgen: %d modules, %d licence and notice files, %d bytes to %s\n", len(mods), files, len(text), *out)
	return nil
}

// generate lists the modules, reads their licences and returns the file.
func generate() (text []byte, mods []module, files int, err error) {
	mods, err = linkedModules()
	if err != nil {
		return nil, nil, 0, err
	}
	lic := make([][]licenceFile, len(mods))
	for i, m := range mods {
		if lic[i], err = readLicences(m); err != nil {
			return nil, nil, 0, err
		}
		files += len(lic[i])
	}
	goroot, err := goEnv("GOROOT")
	if err != nil {
		return nil, nil, 0, err
	}
	std, err := readStdLicence(goroot)
	if err != nil {
		return nil, nil, 0, err
	}
	return render(mods, lic, std), mods, files, nil
}

// goCommand is the go command licgen runs: never downloading, never
// changing go.mod, whatever GOFLAGS the environment sets.
func goCommand(env []string, args ...string) *exec.Cmd {
	cmd := exec.Command("go", args...)
	cmd.Env = append(os.Environ(), "GOPROXY=off", "GOFLAGS=-mod=readonly")
	cmd.Env = append(cmd.Env, env...)
	return cmd
}

func goEnv(name string) (string, error) {
	out, err := goCommand(nil, "env", name).Output()
	if err != nil {
		return "", fmt.Errorf("go env %s: %w", name, err)
	}
	return strings.TrimSpace(string(out)), nil
}

// linkedModules lists the third-party modules of mainPackage's
// dependencies on every target, sorted by path.
func linkedModules() ([]module, error) {
	byID := map[string]*module{}
	onTargets := map[string][]string{}
	for _, target := range targets {
		goos, goarch, _ := strings.Cut(target, "/")
		mods, err := listModules(goos, goarch)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", target, err)
		}
		for _, m := range mods {
			if _, ok := byID[m.id()]; !ok {
				byID[m.id()] = &m
			}
			onTargets[m.id()] = append(onTargets[m.id()], target)
		}
	}
	var mods []module
	for id, m := range byID {
		if len(onTargets[id]) < len(targets) {
			m.Targets = onTargets[id]
		}
		mods = append(mods, *m)
	}
	sort.Slice(mods, func(i, j int) bool { return mods[i].id() < mods[j].id() })
	for i := 1; i < len(mods); i++ {
		if mods[i].Path == mods[i-1].Path {
			return nil, fmt.Errorf("module %s is linked at two versions (%s, %s) on different targets", mods[i].Path, mods[i-1].Version, mods[i].Version)
		}
	}
	return mods, nil
}

// listFormat prints one line per package of a third-party module: path,
// version, folder, and the replacement's path, version and folder ("-" for
// none).
const listFormat = `{{with .Module}}{{if not .Main}}{{.Path}}	{{.Version}}	{{or .Dir "-"}}	` +
	`{{with .Replace}}{{.Path}}	{{or .Version "-"}}	{{or .Dir "-"}}{{else}}-	-	-{{end}}{{end}}{{end}}`

// listModules runs `go list -deps` for one target.
func listModules(goos, goarch string) ([]module, error) {
	cmd := goCommand([]string{"GOOS=" + goos, "GOARCH=" + goarch, "CGO_ENABLED=0"},
		"list", "-deps", "-tags", buildTags, "-f", listFormat, mainPackage)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if strings.Contains(msg, "GOPROXY=off") || strings.Contains(msg, "module lookup disabled") {
			var why string
			for line := range strings.Lines(msg) {
				if strings.Contains(line, "GOPROXY=off") || strings.Contains(line, "module lookup disabled") {
					why = strings.TrimSpace(line)
					break
				}
			}
			return nil, fmt.Errorf("go list: a module is %w (run `go mod download`): %s", errNotInCache, why)
		}
		return nil, fmt.Errorf("go list: %v: %s", err, msg)
	}
	seen := map[string]bool{}
	var mods []module
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || seen[line] {
			continue
		}
		seen[line] = true
		f := strings.Split(line, "\t")
		if len(f) != 6 {
			return nil, fmt.Errorf("go list: unexpected line %q", line)
		}
		m := module{Path: f[0], Version: f[1], Dir: f[2]}
		if f[3] != "-" {
			m.Replace = f[3]
			if f[4] != "-" {
				m.Replace += " " + f[4]
			}
			m.Dir = f[5]
		}
		if m.Dir == "-" {
			return nil, fmt.Errorf("module %s is %w (run `go mod download`)", m.id(), errNotInCache)
		}
		mods = append(mods, m)
	}
	if len(mods) == 0 {
		return nil, fmt.Errorf("go list found no third-party module under %s", mainPackage)
	}
	return mods, nil
}

// readLicences reads a module's licence and notice files, in name order. A
// module without one is an error naming it.
func readLicences(m module) ([]licenceFile, error) {
	entries, err := os.ReadDir(m.Dir)
	if err != nil {
		return nil, fmt.Errorf("module %s: %w", m.id(), err)
	}
	var files []licenceFile
	for _, e := range entries {
		switch {
		case e.Type().IsRegular() && licenceName.MatchString(e.Name()):
			f, err := readText(m, e.Name())
			if err != nil {
				return nil, err
			}
			files = append(files, f)
		case e.IsDir() && licenceDir.MatchString(e.Name()):
			sub, err := os.ReadDir(filepath.Join(m.Dir, e.Name()))
			if err != nil {
				return nil, fmt.Errorf("module %s: %w", m.id(), err)
			}
			for _, s := range sub {
				if s.Type().IsRegular() {
					f, err := readText(m, e.Name()+"/"+s.Name())
					if err != nil {
						return nil, err
					}
					files = append(files, f)
				}
			}
		}
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("module %s (%s) has no licence file (LICENSE, COPYING, NOTICE…) at its root: "+
			"find its licence and add it by hand, or drop the module", m.id(), m.Dir)
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Name < files[j].Name })
	return files, nil
}

func readText(m module, name string) (licenceFile, error) {
	b, err := os.ReadFile(filepath.Join(m.Dir, filepath.FromSlash(name)))
	if err != nil {
		return licenceFile{}, fmt.Errorf("module %s: %w", m.id(), err)
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return licenceFile{}, fmt.Errorf("module %s: licence file %s is empty", m.id(), name)
	}
	// One line ending whatever the module's checkout used.
	b = bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))
	return licenceFile{Name: name, Text: b}, nil
}

// readStdLicence reads the Go distribution's LICENSE and PATENTS: the
// standard library and runtime are compiled into the binary too.
func readStdLicence(goroot string) ([]licenceFile, error) {
	var files []licenceFile
	for _, name := range []string{"LICENSE", "PATENTS"} {
		b, err := os.ReadFile(filepath.Join(goroot, name))
		if errors.Is(err, os.ErrNotExist) && name == "PATENTS" {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("the Go distribution's licence: %w", err)
		}
		files = append(files, licenceFile{Name: name, Text: bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))})
	}
	return files, nil
}

const rule = "================================================================================"

// modulesHeading starts the list of modules; the test reads the list back
// from the lines after it up to the first blank line.
const modulesHeading = "Modules (path, version, licence files):"

// render writes the file: a header, the list of modules, then each
// module's files and the standard library's.
func render(mods []module, lic [][]licenceFile, std []licenceFile) []byte {
	var b bytes.Buffer
	b.WriteString("Third-party software in threaddigest\n\n")
	b.WriteString("Generated by `go generate ./licenses` (licenses/internal/licgen); do not edit.\n\n")
	fmt.Fprintf(&b, "The threaddigest binary (cmd/threaddigest) links the Go standard library and the %d Go modules\n", len(mods))
	b.WriteString("below, built with CGO_ENABLED=0 -tags " + buildTags + " for " + strings.Join(targets, ", ") + ".\n")
	b.WriteString("A module marked with targets is linked on those only. Each module's licence and notice\n")
	b.WriteString("files follow the list verbatim, as its copy in the Go module cache has them.\n\n")
	b.WriteString(modulesHeading + "\n")
	for i, m := range mods {
		names := make([]string, len(lic[i]))
		for j, f := range lic[i] {
			names[j] = f.Name
		}
		fmt.Fprintf(&b, "  %s (%s)", m.id(), strings.Join(names, ", "))
		if m.Targets != nil {
			fmt.Fprintf(&b, " [%s only]", strings.Join(m.Targets, ", "))
		}
		b.WriteString("\n")
	}
	b.WriteString("\n")
	for i, m := range mods {
		for _, f := range lic[i] {
			writeFile(&b, m.id()+": "+f.Name, f.Text)
		}
	}
	for _, f := range std {
		writeFile(&b, "Go standard library and runtime (https://go.dev): "+f.Name, f.Text)
	}
	return b.Bytes()
}

func writeFile(b *bytes.Buffer, title string, text []byte) {
	fmt.Fprintf(b, "%s\n%s\n%s\n\n", rule, title, rule)
	b.Write(bytes.TrimRight(text, "\n \t"))
	b.WriteString("\n\n")
}
