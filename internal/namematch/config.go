package namematch

import (
	"errors"
	"fmt"
)

// Threshold presets from GTR's pii-matching-tools.
const (
	// ThresholdStrict accepts exact, reordered and dropped-middle-name matches and near-identical
	// spellings.
	ThresholdStrict = 0.95
	// ThresholdDefault is what New uses when Config.Threshold is zero (GTR's default).
	ThresholdDefault = 0.90
	// ThresholdModerate also accepts two weak steps together (a nickname and a dropped name).
	ThresholdModerate = 0.85
	// ThresholdLenient accepts most spelling variants; suited to screening, not verification.
	ThresholdLenient = 0.70
)

// Config tunes a Matcher. A zero field takes its documented default, so Config{} is the default
// configuration.
//
// The scores are chosen so that, at the default threshold of 0.90 (GTR's default and Notabene's
// suggested pass mark), a name with one weak step still matches (a nickname, a different
// romanisation, an initial, one dropped middle name, a one-letter typo in a long token) while two
// weak steps together, or a one-letter difference between two distinct known given names
// (John/Joan, Maria/Marta), do not. ThresholdStrict accepts only exact, reordered and
// dropped-middle-name matches and near-identical spellings; ThresholdModerate also accepts two
// weak steps.
type Config struct {
	// Threshold is the score at or above which a name or a field matches. Default 0.90.
	Threshold float64
	// NicknameScore is the score of two tokens from the same group of the name table
	// (Bob/Robert, Mohammed/Muhammad, Park/Bak). Default 0.92.
	NicknameScore float64
	// PhoneticScore is the score of two tokens that sound alike: a shared Double Metaphone key,
	// the same first vowel and a spelling similarity of at least 0.70 (Zhang/Chang,
	// Tchaikovsky/Chaykovskiy), or an Arabic-script token whose consonants equal the other
	// token's. Default 0.90.
	PhoneticScore float64
	// InitialScore is the score of an initial against a token that starts with it
	// ("J." against "John"), and of an acronym against a legal name. Default 0.90.
	InitialScore float64
	// DropPenalty multiplies the score once for each token of a natural person's name left
	// unmatched on the longer name (a middle name, a second surname, a one-sided Jr). Default 0.95.
	DropPenalty float64
	// LegalDropPenalty is DropPenalty for legal persons, where a missing word (Acme Trading
	// against Acme Global Trading) more often means another entity. Default 0.85.
	LegalDropPenalty float64
	// LegalFormPenalty multiplies the score of two legal names whose legal forms are of different
	// kinds (GmbH against AG, Ltd against PLC, Inc against LLC). A form missing on one side costs
	// nothing. Default 0.85.
	LegalFormPenalty float64
}

// withDefaults returns c with every zero field set to its default.
func (c Config) withDefaults() Config {
	def := func(v *float64, d float64) {
		if *v == 0 {
			*v = d
		}
	}
	def(&c.Threshold, ThresholdDefault)
	def(&c.NicknameScore, 0.92)
	def(&c.PhoneticScore, 0.90)
	def(&c.InitialScore, 0.90)
	def(&c.DropPenalty, 0.95)
	def(&c.LegalDropPenalty, 0.85)
	def(&c.LegalFormPenalty, 0.85)
	return c
}

// ErrConfig is returned by New when a Config value is out of range.
var ErrConfig = errors.New("namematch: invalid config")

func (c Config) validate() error {
	for _, f := range []struct {
		name string
		v    float64
	}{
		{"threshold", c.Threshold}, {"nickname_score", c.NicknameScore}, {"phonetic_score", c.PhoneticScore},
		{"initial_score", c.InitialScore}, {"drop_penalty", c.DropPenalty},
		{"legal_drop_penalty", c.LegalDropPenalty}, {"legal_form_penalty", c.LegalFormPenalty},
	} {
		// The negated form also rejects NaN.
		if !(f.v > 0 && f.v <= 1) {
			return fmt.Errorf("%w: %s must be in (0, 1], got %v", ErrConfig, f.name, f.v)
		}
	}
	return nil
}
