package namematch

import "strings"

// Kind says whether a name belongs to a natural or a legal person; the two are normalised and
// matched differently, and never match each other.
type Kind uint8

// The kinds of name. The zero Kind is invalid: a name prepared with it has no tokens and is
// reported as missing.
const (
	// Natural is a natural person: honorifics, particles, nicknames and initials apply.
	Natural Kind = iota + 1
	// Legal is a legal person: legal forms are recognised and stopwords are optional.
	Legal
)

func (k Kind) valid() bool { return k == Natural || k == Legal }

// String returns "natural" or "legal" (the spelling of the evaluation set), or "invalid".
func (k Kind) String() string {
	switch k {
	case Natural:
		return "natural"
	case Legal:
		return "legal"
	}
	return "invalid"
}

// Parts is a name split the way IVMS101 splits it.
type Parts struct {
	// Primary is the family name of a natural person (IVMS101 primaryIdentifier) or the legal
	// name of a legal person.
	Primary string
	// Secondary holds the given names of a natural person (IVMS101 secondaryIdentifier); it is
	// ignored for legal persons.
	Secondary string
}

// Verdict is the outcome for a name or one of its fields, as in GTR's per-field results.
type Verdict string

// The verdicts.
const (
	// Match means the score reached the threshold.
	Match Verdict = "match"
	// Mismatch means both sides were present and the score stayed below the threshold.
	Mismatch Verdict = "mismatch"
	// Missing means the received field (or the KYC name) was empty, so nothing was compared.
	Missing Verdict = "missing"
)

// Field names the part of a name a FieldResult is about.
type Field string

// The fields.
const (
	// FieldPrimary is the family name of a natural person (IVMS101 primaryIdentifier).
	FieldPrimary Field = "primary_identifier"
	// FieldSecondary is the given names of a natural person (IVMS101 secondaryIdentifier).
	FieldSecondary Field = "secondary_identifier"
	// FieldLegalName is the name of a legal person.
	FieldLegalName Field = "legal_name"
	// FieldName is a whole natural-person name received as one string.
	FieldName Field = "name"
)

// Pass names the step of the matcher that a match needed, from the strongest to the weakest.
// A comparison reports the weakest step it used.
type Pass uint8

// The passes, in order of increasing weakness.
const (
	// PassNone means nothing matched.
	PassNone Pass = iota
	// PassExact means equal after normalisation (case, diacritics, script, punctuation, spacing,
	// spelling of the legal form).
	PassExact
	// PassReordered means the same tokens in another order (given and family name swapped).
	PassReordered
	// PassDropped means tokens of the longer name were left out (middle names, a second surname,
	// a one-sided Jr).
	PassDropped
	// PassNickname means a nickname or spelling variant from the name table (Bob/Robert,
	// Mohammed/Muhammad, Park/Bak).
	PassNickname
	// PassInitials means an initial for a given name, or an acronym for a legal name.
	PassInitials
	// PassPhonetic means the tokens sound alike (Double Metaphone), or an Arabic-script token has
	// the consonants of the other.
	PassPhonetic
	// PassFuzzy means similar spelling (Jaro-Winkler and Damerau-Levenshtein).
	PassFuzzy
)

var passNames = [...]string{"none", "exact", "reordered", "dropped", "nickname", "initials", "phonetic", "fuzzy"}

// String returns the pass name used in results and audit records.
func (p Pass) String() string {
	if int(p) < len(passNames) {
		return passNames[p]
	}
	return "invalid"
}

// MarshalText encodes the pass as its name.
func (p Pass) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// PassSet is the set of passes a comparison used.
type PassSet uint16

// Has reports whether p is in the set.
func (s PassSet) Has(p Pass) bool { return s&(1<<p) != 0 }

func (s *PassSet) add(p Pass) { *s |= 1 << p }

// List returns the passes in the set, strongest first.
func (s PassSet) List() []Pass {
	var out []Pass
	for p := PassExact; p <= PassFuzzy; p++ {
		if s.Has(p) {
			out = append(out, p)
		}
	}
	return out
}

// String returns the pass names joined with "+", or "none".
func (s PassSet) String() string {
	l := s.List()
	if len(l) == 0 {
		return "none"
	}
	names := make([]string, len(l))
	for i, p := range l {
		names[i] = p.String()
	}
	return strings.Join(names, "+")
}

// Flags records the penalties a comparison applied beyond dropped tokens.
type Flags uint8

// The flags.
const (
	// FlagLegalForm means both legal names carry a legal form and the forms are of different
	// kinds (Config.LegalFormPenalty applied).
	FlagLegalForm Flags = 1 << iota
	// FlagGeneration means both names carry a generational suffix and they differ (Jr against
	// Sr); the score is halved.
	FlagGeneration
	// FlagIncomplete means one name has a single token against several (a family name alone),
	// or a field of a name found no counterpart; the score is halved.
	FlagIncomplete
)

// String returns the flag names joined with "+", or "" when no flag is set.
func (f Flags) String() string {
	var names []string
	if f&FlagLegalForm != 0 {
		names = append(names, "legal_form_differs")
	}
	if f&FlagGeneration != 0 {
		names = append(names, "generation_differs")
	}
	if f&FlagIncomplete != 0 {
		names = append(names, "incomplete")
	}
	return strings.Join(names, "+")
}
