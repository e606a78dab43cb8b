package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"
)

// machine is what a measurement says of the machine it ran on.
type machine struct {
	start, end   time.Time
	cpus         int
	model        string
	load0, load1 string // /proc/loadavg's three averages, at the start and the end
	commit       string
}

// observe fills what is known at the start of a run.
func observe() machine {
	return machine{start: time.Now().UTC(), cpus: runtime.NumCPU(), model: cpuModel(), load0: loadAverage(), commit: commit()}
}

// cpuModel is the first "model name" of /proc/cpuinfo, or "unknown".
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

// loadAverage is the 1, 5 and 15 minute load averages, or "unknown".
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// commit is the working tree's commit, when run from a git checkout.
func commit() string {
	out, err := exec.Command("git", "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return "unknown"
	}
	c := strings.TrimSpace(string(out))
	if st, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(bytes.TrimSpace(st)) > 0 {
		c += " (with uncommitted changes)"
	}
	return c
}

// markers delimit the section a suite writes in a document: what lies
// between them is replaced by the next run, nothing else is touched.
func markers(suite string) (begin, end string) {
	return "<!-- tools/load -suite " + suite + ": begin (written by the tool; edit outside) -->",
		"<!-- tools/load -suite " + suite + ": end -->"
}

// section is the text a run writes: how it was run, on what, and its table.
func section(suite, command, table string, m machine) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Measured %s–%s UTC by `%s`, at commit %s.\n", m.start.Format("2006-01-02 15:04"), m.end.Format("15:04"), command, m.commit)
	fmt.Fprintf(&b, "Machine: `nproc` = %d, %s; %s, GOMAXPROCS=%d; load average (1, 5, 15 min) %s at the start, %s at the end.\n\n",
		m.cpus, m.model, runtime.Version(), runtime.GOMAXPROCS(0), m.load0, m.load1)
	b.WriteString(table)
	return b.String()
}

// writeDoc puts text between the suite's markers in the file at path,
// or, when they are not there yet, appends a section holding them.
func writeDoc(path, suite, text string) error {
	old, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	begin, end := markers(suite)
	doc := string(old)
	i, j := strings.Index(doc, begin), strings.Index(doc, end)
	switch {
	case i >= 0 && j > i:
		doc = doc[:i+len(begin)] + "\n" + text + doc[j:]
	case i >= 0 || j >= 0:
		return fmt.Errorf("%s: one marker of the %s suite without the other", path, suite)
	default:
		doc = strings.TrimRight(doc, "\n") + "\n\n## Load: the " + suite + " suite (`tools/load`)\n\n" + begin + "\n" + text + end + "\n"
	}
	return os.WriteFile(path, []byte(doc), 0o644)
}
