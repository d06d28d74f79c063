package namematch

import (
	"fmt"
	"strings"
)

// FieldResult is the verdict for one field of the received name, as in GTR's per-field PII
// verification.
type FieldResult struct {
	// Field says which part of the received name this is.
	Field Field `json:"field"`
	// Verdict is the field's verdict against the threshold.
	Verdict Verdict `json:"verdict"`
	// Score is how well the field is found in the KYC name, in [0, 1]; 0 when missing.
	Score float64 `json:"score"`
	// Pass is the weakest step the field's match needed.
	Pass Pass `json:"pass"`
}

// Result is the outcome of Verify: an overall verdict, one verdict per field, and what decided
// them, for the audit trail. It contains no part of either name.
type Result struct {
	// Verdict is the overall verdict.
	Verdict Verdict `json:"verdict"`
	// Score is the overall score in [0, 1] (Comparison.Score of the whole names).
	Score float64 `json:"score"`
	// Threshold is the threshold the verdicts were taken against.
	Threshold float64 `json:"threshold"`
	// Pass is the weakest step the overall match needed; Passes lists every step used.
	Pass   Pass   `json:"pass"`
	Passes string `json:"passes"`
	// Dropped counts tokens left unmatched on the longer name.
	Dropped int `json:"dropped"`
	// Flags lists further penalties (legal_form_differs, generation_differs, incomplete).
	Flags string `json:"flags,omitempty"`
	// TokenSortRatio is the Levenshtein ratio of the two names with their tokens sorted, the
	// measure GTR and Notabene document; it is reported for reference and does not decide.
	TokenSortRatio float64 `json:"token_sort_ratio"`
	// Fields holds one result per field of the received name, in a fixed order: primary and
	// secondary identifier for a natural person's parts, otherwise the one name.
	Fields []FieldResult `json:"fields"`
	// Explanation says the same in one line of text.
	Explanation string `json:"explanation"`
}

// Verify checks a received name (prepared with PrepareParts for a per-field result) against
// the KYC name of the customer. The overall verdict is Match when the whole names score at
// least the threshold; otherwise Missing when a received field (or the KYC name) was empty, and
// Mismatch when everything was there. Each field of the received name is looked for inside the
// whole KYC name, so a family name sent as the given name still matches its field.
func (m *Matcher) Verify(received, kyc *Prepared) Result {
	t := m.cfg.Threshold
	res := Result{Threshold: t}
	verdict := func(score float64) Verdict {
		if score >= t {
			return Match
		}
		return Mismatch
	}
	kycEmpty := kyc.Empty()
	type fieldSpec struct {
		name Field
		bit  uint8
	}
	var specs []fieldSpec
	switch {
	case received.kind == Legal:
		specs = []fieldSpec{{FieldLegalName, 0}}
	case received.parts:
		specs = []fieldSpec{{FieldPrimary, fieldPrimary}, {FieldSecondary, fieldSecondary}}
	default:
		specs = []fieldSpec{{FieldName, 0}}
	}
	overall := m.Compare(received, kyc)
	anyMissing := kycEmpty || received.Empty()
	for _, sp := range specs {
		fr := FieldResult{Field: sp.name, Verdict: Missing}
		present := !received.Empty() && (sp.bit == 0 || received.fields&sp.bit != 0)
		if !present {
			anyMissing = true
		}
		if present && !kycEmpty {
			c := overall
			if sp.bit != 0 && received.kind == kyc.kind {
				var mask uint16
				for i := range received.toks {
					if received.toks[i].field == sp.bit {
						mask |= 1 << i
					}
				}
				var s search
				c = s.run(m, received, kyc, mask, true)
			}
			fr.Score, fr.Pass, fr.Verdict = c.Score, c.Pass, verdict(c.Score)
		}
		res.Fields = append(res.Fields, fr)
	}
	res.Score, res.Pass, res.Dropped = overall.Score, overall.Pass, overall.Dropped
	res.Passes, res.Flags = overall.Passes.String(), overall.Flags.String()
	if !received.Empty() && !kycEmpty {
		res.TokenSortRatio = levenshteinRatio(received.sorted, kyc.sorted)
	}
	switch {
	case !received.Empty() && !kycEmpty && overall.Score >= t:
		res.Verdict = Match
	case anyMissing:
		res.Verdict = Missing
	default:
		res.Verdict = Mismatch
	}
	res.Explanation = explain(&res, kycEmpty)
	return res
}

func explain(r *Result, kycEmpty bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: score %.2f against threshold %.2f", r.Verdict, r.Score, r.Threshold)
	if kycEmpty {
		b.WriteString("; no KYC name to compare with")
	} else {
		fmt.Fprintf(&b, " via %s", r.Passes)
	}
	if r.Dropped > 0 {
		fmt.Fprintf(&b, ", %d token(s) dropped", r.Dropped)
	}
	if r.Flags != "" {
		fmt.Fprintf(&b, ", %s", r.Flags)
	}
	for _, f := range r.Fields {
		fmt.Fprintf(&b, "; %s %s", f.Field, f.Verdict)
		if f.Verdict != Missing {
			fmt.Fprintf(&b, " %.2f (%s)", f.Score, f.Pass)
		}
	}
	return b.String()
}
