package namematch

import (
	_ "embed"
	"fmt"
	"strings"
)

// The tables are data, read once by New into the Matcher; nothing at package level changes.
var (
	//go:embed names.txt
	namesTxt string
	//go:embed legalforms.txt
	legalFormsTxt string
)

// maxFormPhrase is the longest legal-form phrase, in tokens, that the table may hold.
const maxFormPhrase = 6

// formKinds is a bit set of legal-form kinds (private, public, corp, partnership).
type formKinds uint8

// legalForm is one phrase of the legal-form table.
type legalForm struct {
	canonical string    // "ltd" for Limited, Ltd, Pte Ltd, ...
	kinds     formKinds // 0 for the neutral Co/Company
	prefix    bool      // may also stand at the start of a name (OOO Romashka)
}

// parseNames reads names.txt: one group per line. It returns, for each name, the groups it
// belongs to.
func parseNames(src string) (map[string][]uint16, error) {
	groups := make(map[string][]uint16)
	id := 0
	for n, line := range strings.Split(src, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if id > 0xFFFF {
			return nil, fmt.Errorf("namematch: names.txt: more than 65536 groups")
		}
		for _, name := range strings.Fields(line) {
			if !isNormalToken(name) {
				return nil, fmt.Errorf("namematch: names.txt line %d: %q is not a normalised token", n+1, name)
			}
			g := groups[name]
			if len(g) > 0 && g[len(g)-1] == uint16(id) {
				continue // repeated on the same line
			}
			groups[name] = append(g, uint16(id))
		}
		id++
	}
	return groups, nil
}

// parseLegalForms reads legalforms.txt.
func parseLegalForms(src string) (map[string]legalForm, error) {
	kindBits := map[string]formKinds{"private": 1, "public": 2, "corp": 4, "partnership": 8, "-": 0}
	forms := make(map[string]legalForm)
	for n, line := range strings.Split(src, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		head, body, ok := strings.Cut(line, ":")
		hf := strings.Fields(head)
		if !ok || len(hf) != 2 {
			return nil, fmt.Errorf("namematch: legalforms.txt line %d: want \"canonical kinds: phrases\"", n+1)
		}
		var kinds formKinds
		for _, k := range strings.Split(hf[1], ",") {
			b, ok := kindBits[k]
			if !ok {
				return nil, fmt.Errorf("namematch: legalforms.txt line %d: unknown kind %q", n+1, k)
			}
			kinds |= b
		}
		for _, p := range strings.Split(body, "|") {
			p = strings.TrimSpace(p)
			prefix := strings.HasPrefix(p, "^")
			p = strings.TrimPrefix(p, "^")
			toks := strings.Fields(p)
			if len(toks) == 0 || len(toks) > maxFormPhrase {
				return nil, fmt.Errorf("namematch: legalforms.txt line %d: bad phrase %q", n+1, p)
			}
			for _, t := range toks {
				if !isNormalToken(t) {
					return nil, fmt.Errorf("namematch: legalforms.txt line %d: %q is not normalised", n+1, t)
				}
			}
			key := strings.Join(toks, " ")
			f := forms[key]
			f.canonical, f.kinds = hf[0], kinds
			f.prefix = f.prefix || prefix
			forms[key] = f
		}
	}
	return forms, nil
}

func isNormalToken(s string) bool {
	if s == "" || len(s) > maxTokenLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// honorific reports whether a normalised token is a title dropped from the start of a natural
// person's name.
func honorific(t string) bool {
	switch t {
	case "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "sir", "dame", "lord", "lady",
		"rev", "reverend", "herr", "frau", "mme", "madame", "mlle", "mademoiselle", "monsieur",
		"sr", "sra", "srta", "senor", "senora", "senorita", "sig", "signor", "signora", "dott", "ing",
		"hon", "sheikh", "shaikh", "haji", "hajji", "hajj", "dato", "datuk", "tun", "puan", "encik":
		return true
	}
	return false
}

// postNominal reports whether a token is a qualification dropped from the end of a natural
// person's name.
func postNominal(t string) bool {
	switch t {
	case "esq", "phd", "mba", "cpa", "obe", "mbe", "cbe":
		return true
	}
	return false
}

// generation returns the canonical generational suffix for a token, or "".
func generation(t string) string {
	switch t {
	case "jr", "junior", "jnr":
		return "jr"
	case "sr", "senior", "snr":
		return "sr"
	case "ii", "2nd":
		return "ii"
	case "iii", "3rd":
		return "iii"
	case "iv", "4th":
		return "iv"
	}
	return ""
}

// particle reports whether a token is a name particle (van, de, al, bin, ...). Particles are
// optional: leaving one unmatched costs nothing.
func particle(t string) bool {
	switch t {
	case "van", "von", "de", "der", "den", "del", "della", "delle", "dei", "da", "das", "dos", "do",
		"du", "di", "la", "le", "les", "al", "el", "ul", "bin", "ibn", "bint", "ter", "ten", "y", "e",
		"zu", "af", "av", "ap", "op":
		return true
	}
	return false
}

// stopword reports whether a token of a legal name is optional (the, and, of, ...).
func stopword(t string) bool {
	switch t {
	case "the", "and", "of", "und", "et", "y", "e", "de", "du", "des", "la", "le", "les", "der", "die",
		"das", "del", "della", "di", "da", "van", "von", "en", "for":
		return true
	}
	return false
}
