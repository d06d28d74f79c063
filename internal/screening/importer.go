package screening

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"sync/atomic"
	"time"
)

// Format names the format of a list's source file.
type Format string

const (
	// FormatCSV is a CSV file with a header naming its columns: address (required), network,
	// entity, risk_score, tags (separated by '|' or ';') and id.
	FormatCSV Format = "csv"
	// FormatSDN is OFAC's SDN list in its classic XML layout (SDN.XML: sdnList / sdnEntry).
	FormatSDN Format = "ofac-sdn"
	// FormatSDNAdvanced is OFAC's SDN list in the advanced XML layout (sdn_advanced.xml:
	// Sanctions / DistinctParty / Feature).
	FormatSDNAdvanced Format = "ofac-sdn-advanced"
)

// OFACListName is the name an imported OFAC SDN list gets unless told otherwise; both OFAC
// formats give it, so either replaces the other.
const OFACListName = "ofac-sdn"

// Progress reports how far an import has come.
type Progress struct {
	Rows    int64 `json:"rows"`    // source rows read: CSV lines, SDN entries, distinct parties
	Entries int64 `json:"entries"` // addresses taken
	Bytes   int64 `json:"bytes"`   // bytes read from the source
}

// Source is what a reader learnt about the source it read.
type Source struct {
	Progress
	// Skipped counts addresses an OFAC file gives that no list can hold (empty, or longer than
	// MaxAddressLen); CSV files fail on them instead.
	Skipped int64 `json:"skipped,omitempty"`
	// Published is the publication date the source states, zero when it states none.
	Published time.Time `json:"published,omitzero"`
	// Hash is "sha256:" and the hex SHA-256 of every byte of the source.
	Hash string `json:"hash"`
}

// ProgressFunc receives progress reports during an import: every few thousand rows or every
// MiB, and once at the end.
type ProgressFunc func(Progress)

// LineError is a problem with one line of a source; it names the line (1-based) and, when it
// is about one, the field, but never quotes the content.
type LineError struct {
	Line  int
	Field string
	Err   error
}

// Error implements error.
func (e *LineError) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("line %d: %s: %v", e.Line, e.Field, e.Err)
	}
	return fmt.Sprintf("line %d: %v", e.Line, e.Err)
}

// Unwrap returns the underlying error.
func (e *LineError) Unwrap() error { return e.Err }

// ImportOptions tune Import.
type ImportOptions struct {
	// Name is the list's name; the OFAC formats default to OFACListName, CSV lists need one.
	Name string
	// Version overrides the version id, which is otherwise the source's publication date
	// (YYYY-MM-DD) or, when it states none, "sha256:" and 12 hex digits of its content hash.
	Version string
	// SizeHint, when positive, is the expected number of addresses.
	SizeHint int
	// Progress, when set, receives progress reports.
	Progress ProgressFunc
}

// Import reads a list in the given format from r and builds it. It streams: memory grows with
// the number of addresses, not the size of the file. Cancelling ctx stops it.
func Import(ctx context.Context, r io.Reader, format Format, opts ImportOptions) (*List, error) {
	name := opts.Name
	var read func(context.Context, io.Reader, ProgressFunc, func(Entry) error) (Source, error)
	switch format {
	case FormatCSV:
		read = ReadCSV
	case FormatSDN:
		read = ReadSDN
	case FormatSDNAdvanced:
		read = ReadSDNAdvanced
	default:
		return nil, fmt.Errorf("screening: unknown list format %q", format)
	}
	if name == "" && format != FormatCSV {
		name = OFACListName
	}
	if err := checkLabel("list name", name); err != nil {
		return nil, err
	}
	b := NewBuilder(name, opts.SizeHint)
	src, err := readInto(ctx, r, read, opts.Progress, b)
	if err != nil {
		return nil, fmt.Errorf("screening: import %s list %q: %w", format, name, err)
	}
	v := Version{ID: opts.Version, Published: src.Published, Hash: src.Hash}
	if v.ID == "" {
		v.ID = DefaultVersionID(src)
	}
	l, err := b.Build(v)
	if err != nil {
		return nil, fmt.Errorf("screening: import %s list %q: %w", format, name, err)
	}
	return l, nil
}

// errBuildStopped tells a reader that the builder failed; readInto returns the builder's error.
var errBuildStopped = errors.New("screening: build stopped")

// readInto reads a source into b, reading and parsing in this goroutine while another one adds
// to the builder, so that an import uses two cores. Entries are checked here, so that errors
// still name their line; the builder only fails on a list's size limits.
func readInto(ctx context.Context, r io.Reader, read func(context.Context, io.Reader, ProgressFunc, func(Entry) error) (Source, error), progress ProgressFunc, b *Builder) (Source, error) {
	const batchSize = 1024
	batches := make(chan []Entry, 4)
	var failed atomic.Bool
	var buildErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		for batch := range batches {
			for _, e := range batch {
				if buildErr != nil {
					break
				}
				if buildErr = b.Add(e); buildErr != nil {
					failed.Store(true)
				}
			}
		}
	}()
	batch := make([]Entry, 0, batchSize)
	src, err := read(ctx, r, progress, func(e Entry) error {
		if failed.Load() {
			return errBuildStopped
		}
		if err := checkEntry(e); err != nil {
			return err
		}
		batch = append(batch, e)
		if len(batch) == batchSize {
			batches <- batch
			batch = make([]Entry, 0, batchSize)
		}
		return nil
	})
	if err == nil && len(batch) > 0 {
		batches <- batch
	}
	close(batches)
	<-done
	if buildErr != nil {
		return Source{}, buildErr
	}
	return src, err
}

// DefaultVersionID returns the version id of a list read from src: its publication date
// (YYYY-MM-DD) when it states one, else "sha256:" and the first 12 hex digits of its hash.
func DefaultVersionID(src Source) string {
	if !src.Published.IsZero() {
		return src.Published.Format(time.DateOnly)
	}
	if len(src.Hash) >= len("sha256:")+12 {
		return src.Hash[:len("sha256:")+12]
	}
	return "unknown"
}

// feed wraps a source: it counts and hashes the bytes read, reports progress and watches for
// cancellation.
type feed struct {
	ctx      context.Context
	r        io.Reader
	h        hash.Hash
	progress ProgressFunc
	src      Source
	reported int64 // bytes at the last report
}

const (
	progressRows  = 8192
	progressBytes = 1 << 20
)

func newFeed(ctx context.Context, r io.Reader, progress ProgressFunc) *feed {
	return &feed{ctx: ctx, r: r, h: sha256.New(), progress: progress}
}

// Read implements io.Reader.
func (f *feed) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	f.h.Write(p[:n])
	f.src.Bytes += int64(n)
	return n, err
}

// row counts one source row and reports progress when due; it fails once ctx is done.
func (f *feed) row() error {
	f.src.Rows++
	if f.src.Rows%1024 == 0 {
		if err := f.ctx.Err(); err != nil {
			return err
		}
	}
	if f.progress != nil && (f.src.Rows%progressRows == 0 || f.src.Bytes-f.reported >= progressBytes) {
		f.reported = f.src.Bytes
		f.progress(f.src.Progress)
	}
	return nil
}

// add passes e on and counts it. When skipInvalid is set an entry refused as invalid is
// counted as skipped instead of failing the import.
func (f *feed) add(add func(Entry) error, e Entry, skipInvalid bool) error {
	if err := add(e); err != nil {
		if skipInvalid && errors.Is(err, ErrInvalidEntry) {
			f.src.Skipped++
			return nil
		}
		return err
	}
	f.src.Entries++
	return nil
}

// done reads what is left of the source (so that the hash covers all of it), reports the
// final progress and returns what was learnt.
func (f *feed) done() (Source, error) {
	if _, err := io.Copy(io.Discard, f); err != nil {
		return Source{}, err
	}
	if err := f.ctx.Err(); err != nil {
		return Source{}, err
	}
	f.src.Hash = "sha256:" + hex.EncodeToString(f.h.Sum(nil))
	if f.progress != nil {
		f.progress(f.src.Progress)
	}
	return f.src, nil
}
