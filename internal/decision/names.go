package decision

import (
	"github.com/trisacrypto/trisa/pkg/ivms101"

	"github.com/waybill/waybill/internal/namematch"
	"github.com/waybill/waybill/internal/transfer"
)

// matchNames checks the received party's names against the customer's KYC name: every name of
// every person (standard, local and phonetic forms) is tried and the best result is kept, so a
// joint account or a name sent in two scripts matches when one of them does. The result holds
// verdicts and scores only.
func matchNames(m *namematch.Matcher, persons []*ivms101.Person, kycName string) *transfer.NameMatch {
	names := namesOf(persons)
	threshold := m.Config().Threshold
	if len(names) == 0 {
		return &transfer.NameMatch{Verdict: string(namematch.Missing), Threshold: threshold, Fields: []transfer.FieldVerdict{},
			Explanation: "missing: the received data names no person"}
	}
	if kycName == "" {
		return &transfer.NameMatch{Verdict: string(namematch.Missing), Threshold: threshold, Fields: []transfer.FieldVerdict{},
			Explanation: "missing: no KYC name to compare with (give the wallet's customer_name, or customer_name with PATCH)"}
	}
	var (
		best    namematch.Result
		have    bool
		kycs    = map[namematch.Kind]namematch.Prepared{}
		ranking = func(r namematch.Result) int {
			switch r.Verdict {
			case namematch.Match:
				return 2
			case namematch.Mismatch:
				return 1
			}
			return 0
		}
	)
	for _, n := range names {
		kind := namematch.Natural
		if n.Legal {
			kind = namematch.Legal
		}
		kyc, ok := kycs[kind]
		if !ok {
			kyc = m.Prepare(kind, kycName)
			kycs[kind] = kyc
		}
		recv := m.PrepareParts(kind, namematch.Parts{Primary: n.Primary, Secondary: n.Secondary})
		r := m.Verify(&recv, &kyc)
		if !have || ranking(r) > ranking(best) || (ranking(r) == ranking(best) && r.Score > best.Score) {
			best, have = r, true
		}
	}
	out := &transfer.NameMatch{Verdict: string(best.Verdict), Score: round3(best.Score), Threshold: best.Threshold,
		Explanation: best.Explanation, Fields: make([]transfer.FieldVerdict, 0, len(best.Fields))}
	for _, f := range best.Fields {
		out.Fields = append(out.Fields, transfer.FieldVerdict{Field: string(f.Field), Verdict: string(f.Verdict), Score: round3(f.Score)})
	}
	return out
}

func round3(f float64) float64 {
	return float64(int64(f*1000+0.5)) / 1000
}
