package namematch

import (
	"math"
	"testing"
)

// FuzzCompare feeds arbitrary names from a peer: preparing, comparing and verifying must never
// panic, scores stay in [0,1] and Compare stays symmetric. Seeds live in testdata/fuzz.
func FuzzCompare(f *testing.F) {
	f.Add(uint8(1), "John Smith", "Smith John")
	f.Add(uint8(1), "Smith|Bob", "Robert Smith")
	f.Add(uint8(2), "ООО Ромашка", "Romashka LLC")
	f.Add(uint8(1), "محمد بن راشد", "Mohammed bin Rashid")
	f.Add(uint8(1), "김민준", "Kim Min-jun")
	m, err := New(Config{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, kind uint8, x, y string) {
		k := Kind(kind % 3) // includes the invalid kind 0
		a, b := m.Prepare(k, x), m.Prepare(k, y)
		c := m.Compare(&a, &b)
		if math.IsNaN(c.Score) || c.Score < 0 || c.Score > 1 {
			t.Fatalf("score %v", c.Score)
		}
		if c2 := m.Compare(&b, &a); c2 != c {
			t.Fatalf("asymmetric: %+v %+v", c, c2)
		}
		pri, sec, _ := cut(x)
		rec := m.PrepareParts(k, Parts{Primary: pri, Secondary: sec})
		r := m.Verify(&rec, &b)
		if math.IsNaN(r.Score) || r.Score < 0 || r.Score > 1 || r.Verdict == "" {
			t.Fatalf("verify: %+v", r)
		}
	})
}

func cut(s string) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == '|' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}
