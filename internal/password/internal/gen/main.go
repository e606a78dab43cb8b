// Command gen regenerates breached.txt.gz, the list of common and breached
// passwords embedded in package password, from a plain list with one
// password per line:
//
//	go run ./internal/password/internal/gen \
//		-in 10_million_password_list_top_1M.txt \
//		-out internal/password/breached.txt.gz
//
// It keeps the entries of 12 characters or more (password.MinLength:
// shorter ones are refused by length anyway), lower-cases them, removes duplicates
// and sorts them, so that the package can binary-search the list. The
// output is reproducible: the same input gives the same bytes. See
// breached.NOTICE for the source and licence of the input.
package main

import (
	"bufio"
	"compress/gzip"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"unicode/utf8"
)

// Bounds of package password (MinLength, MaxBytes), repeated here so that
// this command builds even when breached.txt.gz, which that package
// embeds, is missing. The package's tests check the list against them.
const (
	minLength = 12
	maxBytes  = 1024
)

func main() {
	in := flag.String("in", "", "plain password list, one per line")
	out := flag.String("out", "breached.txt.gz", "gzipped, sorted output")
	flag.Parse()
	if err := run(*in, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(in, out string) error {
	f, err := os.Open(in)
	if err != nil {
		return err
	}
	defer f.Close()
	list, err := filter(f)
	if err != nil {
		return fmt.Errorf("read %s: %w", in, err)
	}
	w, err := os.Create(out)
	if err != nil {
		return err
	}
	if err := write(w, list); err != nil {
		w.Close()
		return fmt.Errorf("write %s: %w", out, err)
	}
	if err := w.Close(); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "gen: wrote %d passwords to %s\n", len(list), out)
	return nil
}

// filter returns the lower-cased, sorted, distinct lines of r that are at
// least minLength runes and at most maxBytes bytes long.
func filter(r io.Reader) ([]string, error) {
	var list []string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		pw := strings.ToLower(strings.TrimSuffix(sc.Text(), "\r"))
		if utf8.RuneCountInString(pw) >= minLength && len(pw) <= maxBytes {
			list = append(list, pw)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	slices.Sort(list)
	return slices.Compact(list), nil
}

// write gzips list, one entry per line. The gzip header carries no name or
// time, so that regenerating from the same input changes nothing.
func write(w io.Writer, list []string) error {
	zw, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(zw)
	for _, pw := range list {
		bw.WriteString(pw)
		bw.WriteByte('\n')
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return zw.Close()
}
