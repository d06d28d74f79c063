package decision

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/waybill/waybill/internal/screening"
	"github.com/waybill/waybill/internal/store"
)

// ChunkSize is the size of the pieces a list snapshot is stored in.
const ChunkSize = 4 << 20

// LoadLists brings the screener's lists in line with the database: every active version not
// yet loaded is read from its snapshot and swapped in, and names with no active version are
// dropped. It returns how many lists it loaded. Screening goes on with the old versions while a
// new one loads.
func (s *Service) LoadLists(ctx context.Context, st store.Store) (int, error) {
	active, err := st.Read().ListScreeningLists(ctx, true)
	if err != nil {
		return 0, err
	}
	s.mu.Lock()
	loaded := make(map[string]string, len(s.loaded))
	for k, v := range s.loaded {
		loaded[k] = v
	}
	s.mu.Unlock()
	n := 0
	want := map[string]bool{}
	for _, l := range active {
		want[l.Name] = true
		if loaded[l.Name] == l.ID {
			continue
		}
		list, err := readList(ctx, st, l.ID)
		if err != nil {
			return n, fmt.Errorf("load screening list %s@%s: %w", l.Name, l.Version, err)
		}
		s.screener.With(list)
		s.mu.Lock()
		s.loaded[l.Name] = l.ID
		s.mu.Unlock()
		n++
		s.log.Info("screening list loaded", "list", l.Name, "version", l.Version, "addresses", list.Len())
	}
	for name := range loaded {
		if !want[name] {
			s.screener.Without(name)
			s.mu.Lock()
			delete(s.loaded, name)
			s.mu.Unlock()
			s.log.Info("screening list removed", "list", name)
		}
	}
	return n, nil
}

// RefreshLists loads new list versions every interval until ctx ends (another process, the
// CLI say, may import them). It returns nil when ctx ends.
func (s *Service) RefreshLists(ctx context.Context, st store.Store, every time.Duration) error {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			if _, err := s.LoadLists(ctx, st); err != nil && ctx.Err() == nil {
				s.log.Error("screening lists refresh", "err", err)
			}
		}
	}
}

// readList reads a stored snapshot back into a list.
func readList(ctx context.Context, st store.Store, id string) (*screening.List, error) {
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := st.Read().ReadScreeningList(ctx, id, func(b []byte) error {
			_, err := pw.Write(b)
			return err
		})
		pw.CloseWithError(err)
		done <- err
	}()
	l, err := screening.ReadSnapshot(pr)
	pr.CloseWithError(io.ErrClosedPipe)
	if werr := <-done; err == nil && werr != nil && werr != io.ErrClosedPipe {
		err = werr
	}
	return l, err
}

// ImportOptions tune ImportList.
type ImportOptions struct {
	screening.ImportOptions
	// NewID names the new version row.
	NewID func() string
	// Now is the import time.
	Now time.Time
}

// ImportList reads a list in format from r, compiles it, stores its snapshot in the database
// and makes it the active version of its name. Running nodes pick it up within their refresh
// interval (or at once when they call LoadLists).
func ImportList(ctx context.Context, st store.Store, r io.Reader, format screening.Format, opts ImportOptions) (*store.ScreeningList, error) {
	list, err := screening.Import(ctx, r, format, opts.ImportOptions)
	if err != nil {
		return nil, err
	}
	v := list.Version()
	row := &store.ScreeningList{ID: opts.NewID(), Name: list.Name(), Version: v.ID, Format: string(format),
		Entries: int64(list.Len()), Entities: int64(list.Entities()), Hash: v.Hash, ImportedAt: opts.Now.UTC()}
	if !v.Published.IsZero() {
		p := v.Published.UTC()
		row.Published = &p
	}
	if err := st.InTx(ctx, func(tx store.Tx) error { return tx.CreateScreeningList(ctx, row) }); err != nil {
		return nil, err
	}
	cw := &chunkWriter{ctx: ctx, st: st, id: row.ID, buf: make([]byte, 0, ChunkSize)}
	if err := screening.WriteSnapshot(cw, list); err != nil {
		return nil, cleanup(ctx, st, row.ID, err)
	}
	if err := cw.flush(); err != nil {
		return nil, cleanup(ctx, st, row.ID, err)
	}
	row.Bytes, row.Active = cw.total, true
	if err := st.InTx(ctx, func(tx store.Tx) error { return tx.ActivateScreeningList(ctx, row.ID, cw.total) }); err != nil {
		return nil, cleanup(ctx, st, row.ID, err)
	}
	return row, nil
}

func cleanup(ctx context.Context, st store.Store, id string, err error) error {
	_ = st.InTx(context.WithoutCancel(ctx), func(tx store.Tx) error { return tx.DeleteScreeningList(ctx, id) })
	return err
}

// chunkWriter stores what is written to it as numbered chunks, each in its own transaction so
// that a large list does not hold the database's write lock for the whole import.
type chunkWriter struct {
	ctx   context.Context
	st    store.Store
	id    string
	seq   int
	buf   []byte
	total int64
}

func (w *chunkWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		room := ChunkSize - len(w.buf)
		take := min(room, len(p))
		w.buf = append(w.buf, p[:take]...)
		p = p[take:]
		if len(w.buf) == ChunkSize {
			if err := w.flush(); err != nil {
				return 0, err
			}
		}
	}
	return n, nil
}

func (w *chunkWriter) flush() error {
	if len(w.buf) == 0 {
		return nil
	}
	data := w.buf
	seq := w.seq
	if err := w.st.InTx(w.ctx, func(tx store.Tx) error { return tx.PutScreeningListChunk(w.ctx, w.id, seq, data) }); err != nil {
		return err
	}
	w.total += int64(len(data))
	w.seq++
	w.buf = make([]byte, 0, ChunkSize)
	return nil
}
