package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/waybill/waybill/internal/decision"
	"github.com/waybill/waybill/internal/engine"
	"github.com/waybill/waybill/internal/policy"
	"github.com/waybill/waybill/internal/screening"
	"github.com/waybill/waybill/internal/store"
)

// The policy editor edits a VASP's policy set for one direction as a JSON list of policies (the
// body of PUT /v1/policies/{direction}): validate compiles it, test evaluates it against one of
// the VASP's transfers without changing anything, save stores it as a new version. All three go
// through the engine and the decision service, as the API's do.

// policiesView is the policy editor.
type policiesView struct {
	Direction string
	Doc       string
	Version   int
	Next      int
	SavedBy   string
	SavedAt   string
	Problems  []string
	Valid     bool
	Checked   bool
	Test      *decision.TestResult
	TestRef   string
	Facts     []keyValue
	Variables []string
	CanTest   bool
}

func direction(r *http.Request) string {
	if r.FormValue("direction") == policy.DirectionIncoming {
		return policy.DirectionIncoming
	}
	return policy.DirectionOutgoing
}

// decisions returns the node's decision service, nil when another decider is wired.
func (h *Handler) decisions() *decision.Service {
	svc, _ := h.eng.Decider().(*decision.Service)
	return svc
}

func (h *Handler) policiesPage(c *call) error {
	v := &policiesView{Direction: direction(c.r), Variables: policy.Variables(), CanTest: h.decisions() != nil}
	set, err := h.st.Read().GetPolicySet(c.ctx(), c.vaspID(), v.Direction, 0)
	switch {
	case errors.Is(err, store.ErrNotFound):
		v.Doc = "[]"
	case err != nil:
		return err
	default:
		v.Version, v.SavedBy, v.SavedAt = set.Version, set.CreatedBy, ts(set.CreatedAt)
		b, err := json.MarshalIndent(set.Policies, "", "  ")
		if err != nil {
			return err
		}
		v.Doc = string(b)
	}
	v.Next = v.Version + 1
	c.render(http.StatusOK, "policies", "Policies", "policies", v)
	return nil
}

// editorState reads the editor form back, so a check or a test keeps what the person typed.
func (h *Handler) editorState(c *call) (*policiesView, []policy.Policy, error) {
	v := &policiesView{Direction: direction(c.r), Doc: c.r.PostFormValue("doc"), Variables: policy.Variables(),
		TestRef: strings.TrimSpace(c.r.PostFormValue("transfer")), CanTest: h.decisions() != nil, Checked: true}
	if n, err := h.st.Read().PolicySetVersion(c.ctx(), c.vaspID(), v.Direction); err == nil {
		v.Version, v.Next = n, n+1
	} else {
		return nil, nil, err
	}
	var policies []policy.Policy
	dec := json.NewDecoder(strings.NewReader(v.Doc))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&policies); err != nil {
		v.Problems = []string{"the policies are not a JSON list of policies: " + jsonProblem(err)}
		return v, nil, nil
	}
	if dec.More() {
		v.Problems = []string{"the policies are not a JSON list of policies: text after the list"}
		return v, nil, nil
	}
	if _, err := h.eng.CheckPolicies(v.Direction, policies); err != nil {
		msg := refusal(err)
		if msg == "" {
			return nil, nil, err
		}
		v.Problems = strings.Split(msg, "; ")
		return v, nil, nil
	}
	v.Valid = true
	return v, policies, nil
}

// jsonProblem describes a JSON decoding error by position, without quoting the input.
func jsonProblem(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("syntax error at byte %d", se.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return "the text ends too early"
	case errors.As(err, &te):
		return fmt.Sprintf("%s must be %s", reasonText(te.Field, "the document"), te.Type)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return strings.TrimPrefix(err.Error(), "json: ")
	}
	return "it cannot be read"
}

func (h *Handler) renderEditor(c *call, v *policiesView) {
	status := http.StatusOK
	if !v.Valid {
		status = http.StatusUnprocessableEntity
	}
	c.render(status, "policies", "Policies", "policies", v)
}

func (h *Handler) validatePolicies(c *call) error {
	v, _, err := h.editorState(c)
	if err != nil {
		return err
	}
	h.renderEditor(c, v)
	return nil
}

// testPolicies evaluates the edited policies against one of the VASP's transfers, by id or ref,
// at the point the transfer is at; nothing is stored.
func (h *Handler) testPolicies(c *call) error {
	v, policies, err := h.editorState(c)
	if err != nil {
		return err
	}
	svc := h.decisions()
	if !v.Valid || svc == nil || v.TestRef == "" {
		if v.Valid && v.TestRef == "" {
			v.Problems, v.Valid = []string{"give the id or ref of a transfer to test against"}, false
		}
		h.renderEditor(c, v)
		return nil
	}
	id := v.TestRef
	if t, err := h.st.Read().GetTransferByRef(c.ctx(), c.vaspID(), id); err == nil {
		id = t.ID
	}
	di, err := h.eng.DecisionInputFor(c.ctx(), c.vaspID(), id, "")
	if errors.Is(err, store.ErrNotFound) {
		v.Problems, v.Valid = []string{"no transfer of yours has this id or ref"}, false
		h.renderEditor(c, v)
		return nil
	}
	if msg := refusal(err); msg != "" {
		v.Problems, v.Valid = []string{msg}, false
		h.renderEditor(c, v)
		return nil
	}
	if err != nil {
		return err
	}
	dir := policy.DirectionOutgoing
	if di.Transfer.Direction == "incoming" {
		dir = policy.DirectionIncoming
	}
	if dir != v.Direction {
		v.Problems, v.Valid = []string{"that transfer is " + dir + ": test it on the " + dir + " policies"}, false
		h.renderEditor(c, v)
		return nil
	}
	prog, err := h.eng.CheckPolicies(dir, policies)
	if err != nil {
		return err
	}
	if v.Test, err = svc.Evaluate(c.ctx(), h.st.Read(), di, prog); err != nil {
		return err
	}
	if v.Test.Facts != nil {
		var facts any
		if b, err := json.Marshal(v.Test.Facts); err == nil && json.Unmarshal(b, &facts) == nil {
			flatten("", facts, &v.Facts)
		}
	}
	h.renderEditor(c, v)
	return nil
}

func (h *Handler) savePolicies(c *call) error {
	v, policies, err := h.editorState(c)
	if err != nil {
		return err
	}
	if !v.Valid {
		h.renderEditor(c, v)
		return nil
	}
	if base, err := strconv.Atoi(c.r.PostFormValue("version")); err != nil || base != v.Version {
		v.Problems, v.Valid = []string{fmt.Sprintf("someone saved version %d meanwhile: copy your changes, reload and apply them again", v.Version)}, false
		c.render(http.StatusConflict, "policies", "Policies", "policies", v)
		return nil
	}
	set, err := h.eng.PutPolicies(c.ctx(), c.actor(), c.vaspID(), v.Direction, policies)
	if msg := refusal(err); msg != "" {
		v.Problems, v.Valid = strings.Split(msg, "; "), false
		h.renderEditor(c, v)
		return nil
	}
	if err != nil {
		return err
	}
	return c.done(nil, Prefix+"policies?direction="+v.Direction, "Policies saved as version "+strconv.Itoa(set.Version)+".")
}

// screeningView lists the node's screening lists.
type screeningView struct {
	Lists   []store.ScreeningList
	Formats []string
}

func (h *Handler) screeningPage(c *call) error {
	lists, err := h.st.Read().ListScreeningLists(c.ctx(), false)
	if err != nil {
		return err
	}
	sort.SliceStable(lists, func(i, j int) bool { return lists[i].Name < lists[j].Name })
	c.render(http.StatusOK, "screening", "Screening lists", "screening", &screeningView{Lists: lists,
		Formats: []string{string(screening.FormatSDN), string(screening.FormatSDNAdvanced), string(screening.FormatCSV)}})
	return nil
}

// importList imports an uploaded screening list as the new version of its name (operators: the
// lists serve every hosted VASP). Running nodes load it within decisions.list_refresh.
func (h *Handler) importList(c *call) error {
	back := Prefix + "screening"
	file, _, err := c.r.FormFile("file")
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return badRequest("The file is larger than 64 MiB: import it with `waybill screening import`.")
		}
		return c.done(&engine.ValidationError{Fields: []engine.FieldError{{Path: "file", Message: "choose a list file"}}}, back, "")
	}
	defer file.Close()
	format := screening.Format(c.r.PostFormValue("format"))
	newID := func() string { return uuid.Must(uuid.NewV7FromReader(h.rand)).String() }
	row, err := decision.ImportList(c.ctx(), h.st, file, format, decision.ImportOptions{
		ImportOptions: screening.ImportOptions{Name: strings.TrimSpace(c.r.PostFormValue("name")),
			Version: strings.TrimSpace(c.r.PostFormValue("version"))},
		NewID: newID, Now: h.now()})
	if err != nil {
		h.log.Warn("web screening import", "err", err)
		return c.done(&engine.ConflictError{Msg: "the list was not imported: " + firstLine(err.Error())}, back, "")
	}
	return c.done(nil, back, fmt.Sprintf("Imported %s version %s: %d addresses of %d entities. Running nodes screen with it within minutes.",
		row.Name, row.Version, row.Entries, row.Entities))
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}
