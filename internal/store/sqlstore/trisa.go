package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/waybill/waybill/internal/counterparty"
)

func (s *queries) ListTRISACounterparties(ctx context.Context, mentions []string) ([]counterparty.Counterparty, error) {
	q := `SELECT ` + counterpartyCols + ` FROM counterparties WHERE routes LIKE '%"trisa":{%'`
	args := make([]any, 0, len(mentions))
	if len(mentions) > 0 {
		// Escape LIKE wildcards, so a mention matches itself only.
		likeEscaper := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
		ors := make([]string, 0, len(mentions))
		for _, m := range mentions {
			args = append(args, "%"+likeEscaper.Replace(strings.ToLower(m))+"%")
			ors = append(ors, fmt.Sprintf(`LOWER(routes) LIKE $%d ESCAPE '\'`, len(args)))
		}
		q += ` AND (` + strings.Join(ors, ` OR `) + `)`
	}
	rows, err := s.q.QueryContext(ctx, q+` ORDER BY vasp_id, id LIMIT 10000`, args...)
	if err != nil {
		return nil, s.wrap(err, "list trisa counterparties")
	}
	defer rows.Close()
	var out []counterparty.Counterparty
	for rows.Next() {
		c, err := scanCounterparty(rows)
		if err != nil {
			return nil, s.wrap(err, "list trisa counterparties")
		}
		out = append(out, *c)
	}
	return out, s.wrap(rows.Err(), "list trisa counterparties")
}
