package screening

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/shopspring/decimal"
)

// csvColumns are the columns a CSV list may have; address is required, others are ignored.
const (
	colAddress = iota
	colNetwork
	colEntity
	colRiskScore
	colTags
	colID
	numColumns
)

func csvColumn(name string) int {
	switch name {
	case "address":
		return colAddress
	case "network":
		return colNetwork
	case "entity":
		return colEntity
	case "risk_score":
		return colRiskScore
	case "tags":
		return colTags
	case "id":
		return colID
	}
	return -1
}

// ReadCSV reads a CSV list from r and passes each entry to add, reporting progress. The first
// record is a header naming the columns (case-insensitive, in any order): address (required),
// network, entity, risk_score (0 to 10; empty means DefaultRiskScore), tags (separated by '|'
// or ';') and id; other columns are ignored. A UTF-8 byte order mark, CRLF line ends, blank
// lines and lines starting with '#' are accepted. Errors are *LineError values naming the line
// (and field); an error from add that wraps ErrInvalidEntry is one too.
func ReadCSV(ctx context.Context, r io.Reader, progress ProgressFunc, add func(Entry) error) (Source, error) {
	f := newFeed(ctx, r, progress)
	br := bufio.NewReaderSize(f, 1<<16)
	if b, err := br.Peek(3); err == nil && string(b) == "\uFEFF" {
		_, _ = br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	cr.Comment = '#'
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return Source{}, &LineError{Line: 1, Err: errors.New("no header: the file is empty")}
	}
	if err != nil {
		return Source{}, csvError(err)
	}
	var cols [numColumns]int
	for i := range cols {
		cols[i] = -1
	}
	for i, h := range header {
		c := csvColumn(strings.ToLower(strings.TrimSpace(h)))
		if c < 0 {
			continue
		}
		if cols[c] >= 0 {
			return Source{}, &LineError{Line: 1, Field: strings.ToLower(strings.TrimSpace(h)), Err: errors.New("column given twice")}
		}
		cols[c] = i
	}
	if cols[colAddress] < 0 {
		return Source{}, &LineError{Line: 1, Err: errors.New("header has no address column")}
	}
	var prevTags string
	var tags []string
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return Source{}, csvError(err)
		}
		line, _ := cr.FieldPos(0)
		field := func(c int) string {
			if i := cols[c]; i >= 0 && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		e := Entry{Address: field(colAddress), Network: field(colNetwork), Entity: field(colEntity), ID: field(colID)}
		if e.Address == "" {
			return Source{}, &LineError{Line: line, Field: "address", Err: errors.New("empty")}
		}
		if s := field(colRiskScore); s != "" {
			d, err := decimal.NewFromString(s)
			if err != nil || !validRiskScore(d) {
				return Source{}, &LineError{Line: line, Field: "risk_score", Err: fmt.Errorf("not a number from 0 to %d", maxRiskScore)}
			}
			e.RiskScore = &d
		}
		if raw := field(colTags); raw != prevTags {
			prevTags, tags = raw, splitTags(raw)
		}
		e.Tags = tags // shared by consecutive rows with the same tags; never modified
		if err := f.add(add, e, false); err != nil {
			if errors.Is(err, ErrInvalidEntry) {
				return Source{}, &LineError{Line: line, Err: err}
			}
			return Source{}, err
		}
		if err := f.row(); err != nil {
			return Source{}, err
		}
	}
	return f.done()
}

// splitTags splits a tags field at '|' and ';' and drops empty tags.
func splitTags(s string) []string {
	var tags []string
	for s != "" {
		t := s
		if i := strings.IndexAny(s, "|;"); i >= 0 {
			t, s = s[:i], s[i+1:]
		} else {
			s = ""
		}
		if t = strings.TrimSpace(t); t != "" {
			tags = append(tags, t)
		}
	}
	return tags
}

// csvError turns an encoding/csv error into a *LineError; a csv.ParseError names the line but
// not the content.
func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &LineError{Line: pe.Line, Err: pe.Err}
	}
	return err
}
