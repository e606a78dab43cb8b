package store

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// Aggregates let one statement read the rows of several tables: each
// table's rows come back as one JSON array of row arrays, which jsonRows
// splits and jsonRow reads with the same row readers as a plain query
// (issue 15, part 5: the dashboard in one statement).

// rowArray is one row as a JSON array of its columns, in each
// database's words.
func rowArray(d Dialect, columns string) string {
	if d == Postgres {
		return `json_build_array(` + columns + `)`
	}
	return `json_array(` + columns + `)`
}

// rowArrays aggregates rows, in order, into one JSON array of rows.
func rowArrays(d Dialect, columns, order string) string {
	if d == Postgres {
		return `json_agg(` + rowArray(d, columns) + ` ORDER BY ` + order + `)`
	}
	return `json_group_array(` + rowArray(d, columns) + ` ORDER BY ` + order + `)`
}

// jsonRows reads an aggregate of rows (NULL or empty: none) with read.
func jsonRows[T any](agg sql.NullString, read func(scanner) (T, error)) ([]T, error) {
	if !agg.Valid {
		return nil, nil
	}
	var rows []json.RawMessage
	if err := json.Unmarshal([]byte(agg.String), &rows); err != nil {
		return nil, fmt.Errorf("read aggregated rows: %w", err)
	}
	var out []T // nil for none, as a plain query gives
	for _, raw := range rows {
		v, err := read(jsonRow(raw))
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// jsonRow is one row of an aggregate: a JSON array of its columns.
type jsonRow json.RawMessage

// Scan reads the row's columns into dest, as database/sql would from
// the table's columns: numbers, text, booleans (SQLite's are 0 and 1),
// timestamps (text in SQLite's format or ISO 8601) and NULLs.
func (r jsonRow) Scan(dest ...any) error {
	dec := json.NewDecoder(bytes.NewReader(r))
	dec.UseNumber()
	var cols []any
	if err := dec.Decode(&cols); err != nil {
		return fmt.Errorf("read an aggregated row: %w", err)
	}
	if len(cols) != len(dest) {
		return fmt.Errorf("an aggregated row has %d columns, %d expected", len(cols), len(dest))
	}
	for i, v := range cols {
		if err := assign(dest[i], v); err != nil {
			return fmt.Errorf("column %d of an aggregated row: %w", i+1, err)
		}
	}
	return nil
}

// assign stores one decoded JSON value (nil, json.Number, string, bool)
// into a scan destination.
func assign(dest, v any) error {
	switch d := dest.(type) {
	case *string:
		switch v := v.(type) {
		case string:
			*d = v
		case json.Number:
			*d = v.String()
		case nil:
			*d = ""
		default:
			return fmt.Errorf("%v is not text", v)
		}
	case *int64:
		n, err := integer(v)
		*d = n
		return err
	case *int:
		n, err := integer(v)
		*d = int(n)
		return err
	case *float64:
		f, err := strconv.ParseFloat(fmt.Sprint(v), 64)
		*d = f
		return err
	case *bool:
		switch v := v.(type) {
		case bool:
			*d = v
		case json.Number:
			*d = v.String() != "0"
		default:
			return fmt.Errorf("%v is not a boolean", v)
		}
	case *time.Time:
		t, err := timestamp(v)
		*d = t
		return err
	case *nullTime:
		if v == nil {
			*d = nullTime{}
			return nil
		}
		t, err := timestamp(v)
		d.Time, d.Valid = t, err == nil
		return err
	case *nullInt:
		if v == nil {
			*d = nullInt{}
			return nil
		}
		n, err := integer(v)
		d.Int64, d.Valid = n, err == nil
		return err
	case sql.Scanner:
		if n, ok := v.(json.Number); ok {
			if i, err := n.Int64(); err == nil {
				return d.Scan(i)
			}
			f, err := n.Float64()
			if err != nil {
				return err
			}
			return d.Scan(f)
		}
		return d.Scan(v)
	default:
		return fmt.Errorf("cannot read into %T", dest)
	}
	return nil
}

func integer(v any) (int64, error) {
	switch v := v.(type) {
	case json.Number:
		return v.Int64()
	case bool: // PostgreSQL's booleans read as numbers nowhere, but SQLite's are
		if v {
			return 1, nil
		}
		return 0, nil
	case nil:
		return 0, nil
	}
	return 0, fmt.Errorf("%v is not a number", v)
}

// timestampLayouts are how the two databases write a timestamp into
// JSON: SQLite keeps the text the driver wrote (_time_format=sqlite),
// PostgreSQL writes ISO 8601.
var timestampLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02 15:04:05.999999999-07:00",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02",
}

func timestamp(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, fmt.Errorf("%v is not a timestamp", v)
	}
	for _, l := range timestampLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a timestamp", s)
}
