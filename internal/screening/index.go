package screening

import (
	"fmt"
	"slices"
	"strings"
)

// Index is an immutable set of lists, answering "is this address on any loaded list?". A new
// version of one list makes a new Index (With) that shares every other list, so replacing the
// OFAC list does not rebuild a large CSV list. The zero value and nil are empty indexes; an
// Index is safe for concurrent use.
type Index struct {
	lists []*List // sorted by name
}

// NewIndex returns an index of lists; two lists with one name are an error.
func NewIndex(lists ...*List) (*Index, error) {
	x := &Index{}
	for _, l := range lists {
		if l == nil {
			continue
		}
		if x.List(l.Name()) != nil {
			return nil, fmt.Errorf("screening: list %q given twice", l.Name())
		}
		x = x.With(l)
	}
	return x, nil
}

// With returns an index holding x's lists and l, which replaces any list of the same name; a
// nil l adds nothing.
func (x *Index) With(l *List) *Index {
	lists := x.Lists()
	if l == nil {
		return &Index{lists: lists}
	}
	i, found := slices.BinarySearchFunc(lists, l.Name(), func(e *List, name string) int {
		return strings.Compare(e.Name(), name)
	})
	if found {
		lists[i] = l
	} else {
		lists = slices.Insert(lists, i, l)
	}
	return &Index{lists: lists}
}

// Without returns an index holding x's lists except the one called name.
func (x *Index) Without(name string) *Index {
	return &Index{lists: slices.DeleteFunc(x.Lists(), func(l *List) bool { return l.Name() == name })}
}

// Lists returns the lists of x, sorted by name, in a new slice.
func (x *Index) Lists() []*List {
	if x == nil {
		return nil
	}
	return slices.Clone(x.lists)
}

// List returns the list called name, or nil.
func (x *Index) List(name string) *List {
	if x == nil {
		return nil
	}
	for _, l := range x.lists {
		if l.Name() == name {
			return l
		}
	}
	return nil
}

// Empty reports whether x holds no list.
func (x *Index) Empty() bool { return x == nil || len(x.lists) == 0 }

// Lookup returns every entry, on every list, for address; nil when it is on none.
func (x *Index) Lookup(address string) []Hit {
	return x.AppendLookup(nil, address)
}

// AppendLookup appends to dst every entry, on every list, for address and returns the result;
// it allocates nothing when the address is on no list or dst has room.
func (x *Index) AppendLookup(dst []Hit, address string) []Hit {
	if x.Empty() {
		return dst
	}
	k, ok := keyOf(address)
	if !ok {
		return dst
	}
	for _, l := range x.lists {
		dst = l.appendHits(dst, k)
	}
	return dst
}

// Versions returns "name@version" for every list of x, sorted by name.
func (x *Index) Versions() []string {
	if x == nil {
		return nil
	}
	out := make([]string, len(x.lists))
	for i, l := range x.lists {
		out[i] = l.Name() + "@" + l.Version().ID
	}
	return out
}
