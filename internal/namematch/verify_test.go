package namematch

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestVerifyFields(t *testing.T) {
	t.Parallel()
	m := newMatcher(t)
	type want struct {
		overall            Verdict
		primary, secondary Verdict
	}
	for _, tc := range []struct {
		name     string
		received Parts
		kyc      string
		want     want
	}{
		{"exact", Parts{"Smith", "John"}, "John Smith", want{Match, Match, Match}},
		{"fields swapped by the sender", Parts{"John", "Smith"}, "John Smith", want{Match, Match, Match}},
		{"whole name in the primary field", Parts{"John Smith", ""}, "John Smith", want{Match, Match, Missing}},
		{"family name only", Parts{"Smith", ""}, "John Smith", want{Missing, Match, Missing}},
		{"given names only", Parts{"", "John"}, "John Smith", want{Missing, Missing, Match}},
		{"other given name", Parts{"Smith", "James"}, "John Smith", want{Mismatch, Match, Mismatch}},
		{"other family name", Parts{"Jones", "John"}, "John Smith", want{Mismatch, Mismatch, Match}},
		{"nickname", Parts{"Smith", "Bob"}, "Robert Smith", want{Match, Match, Match}},
		{"extra middle name received", Parts{"Smith", "John Paul"}, "John Smith", want{Match, Match, Match}},
		{"no KYC name", Parts{"Smith", "John"}, "", want{Missing, Missing, Missing}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec, kyc := m.PrepareParts(Natural, tc.received), m.Prepare(Natural, tc.kyc)
			r := m.Verify(&rec, &kyc)
			require.Equal(t, tc.want.overall, r.Verdict, r.Explanation)
			require.Len(t, r.Fields, 2)
			require.Equal(t, FieldPrimary, r.Fields[0].Field)
			require.Equal(t, tc.want.primary, r.Fields[0].Verdict, r.Explanation)
			require.Equal(t, FieldSecondary, r.Fields[1].Field)
			require.Equal(t, tc.want.secondary, r.Fields[1].Verdict, r.Explanation)
			require.Equal(t, ThresholdDefault, r.Threshold)
			for _, part := range []string{tc.received.Primary, tc.received.Secondary, tc.kyc} {
				for _, tok := range strings.Fields(strings.ToLower(part)) {
					require.NotContains(t, strings.ToLower(r.Explanation), tok, "explanations carry no names")
				}
			}
		})
	}
}

func TestVerifyLegalAndWhole(t *testing.T) {
	t.Parallel()
	m := newMatcher(t)
	rec, kyc := m.PrepareParts(Legal, Parts{Primary: "Acme Pte. Ltd."}), m.Prepare(Legal, "ACME Private Limited")
	r := m.Verify(&rec, &kyc)
	require.Equal(t, Match, r.Verdict)
	require.Equal(t, []FieldResult{{Field: FieldLegalName, Verdict: Match, Score: 1, Pass: PassExact}}, r.Fields)

	whole, kyc2 := m.Prepare(Natural, "Jon Smith"), m.Prepare(Natural, "John Smith")
	r = m.Verify(&whole, &kyc2)
	require.Equal(t, Match, r.Verdict)
	require.Equal(t, FieldName, r.Fields[0].Field)
	require.Equal(t, PassNickname, r.Pass)
	require.InDelta(t, 0.9, r.TokenSortRatio, 0.001)

	// A natural-person name against a legal KYC record never matches.
	n, l := m.PrepareParts(Natural, Parts{Primary: "Acme"}), m.Prepare(Legal, "Acme")
	r = m.Verify(&n, &l)
	require.Equal(t, Missing, r.Verdict, "the secondary identifier is empty")
	require.Equal(t, Mismatch, r.Fields[0].Verdict)
}

func TestVerifyThresholds(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		threshold float64
		want      Verdict
	}{
		{ThresholdStrict, Mismatch},
		{ThresholdDefault, Match},
		{ThresholdModerate, Match},
	} {
		m, err := New(Config{Threshold: tc.threshold})
		require.NoError(t, err)
		rec, kyc := m.PrepareParts(Natural, Parts{"Smith", "Bob"}), m.Prepare(Natural, "Robert Smith")
		r := m.Verify(&rec, &kyc)
		require.Equal(t, tc.want, r.Verdict, "threshold %v", tc.threshold)
		require.Equal(t, tc.want, r.Fields[1].Verdict)
	}
}

func TestResultJSON(t *testing.T) {
	t.Parallel()
	m := newMatcher(t)
	rec, kyc := m.PrepareParts(Natural, Parts{"Smith", "Bob Paul"}), m.Prepare(Natural, "Robert Smith")
	b, err := json.Marshal(m.Verify(&rec, &kyc))
	require.NoError(t, err)
	var got map[string]any
	require.NoError(t, json.Unmarshal(b, &got))
	require.Equal(t, "mismatch", got["verdict"])
	require.Equal(t, "nickname", got["pass"])
	require.Equal(t, "exact+dropped+nickname", got["passes"])
	require.EqualValues(t, 1, got["dropped"])
	fields := got["fields"].([]any)
	require.Equal(t, "secondary_identifier", fields[1].(map[string]any)["field"])
	require.Equal(t, "mismatch", fields[1].(map[string]any)["verdict"], "a nickname and a dropped name together stay below 0.90")
	require.Equal(t, "match", fields[0].(map[string]any)["verdict"])
}

func TestNewValidates(t *testing.T) {
	t.Parallel()
	m, err := New(Config{})
	require.NoError(t, err)
	require.Equal(t, Config{Threshold: 0.9, NicknameScore: 0.92, PhoneticScore: 0.9, InitialScore: 0.9,
		DropPenalty: 0.95, LegalDropPenalty: 0.85, LegalFormPenalty: 0.85}, m.Config())
	nan := 0.0
	nan /= nan
	for _, cfg := range []Config{{Threshold: -0.1}, {Threshold: 1.5}, {NicknameScore: nan}, {DropPenalty: 2}} {
		_, err := New(cfg)
		require.ErrorIs(t, err, ErrConfig, "%+v", cfg)
	}
}
