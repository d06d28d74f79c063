package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/waybill/waybill/internal/audit"
	"github.com/waybill/waybill/internal/store"
)

// Policies is what the policy editor needs from the decisions capability (CEL policies per VASP
// and direction). The node's wiring adapts the capability to it; without one the editor says
// where policies will appear and the VASP's settings decide.
type Policies interface {
	// Current returns a VASP's policy set for a direction ("outgoing" or "incoming") as the
	// editor's JSON document and its version (0 and a starting document when none was saved).
	Current(ctx context.Context, vaspID, direction string) (doc string, version int, err error)
	// Validate checks a document and returns its problems, none when it is valid.
	Validate(ctx context.Context, vaspID, direction, doc string) ([]string, error)
	// Test evaluates a document against one of the VASP's transfers (by id or ref) as it stands,
	// and says what it would decide. store.ErrNotFound when the transfer does not exist.
	Test(ctx context.Context, vaspID, direction, doc, transfer string) (*PolicyTest, error)
	// Save stores a document as the next version of the set, as actor, when the stored version
	// is still base; it returns the new version.
	Save(ctx context.Context, actor audit.Actor, vaspID, direction, doc string, base int) (int, error)
	// Variables lists what a condition can refer to, one line each, for the editor's help.
	Variables() []string
}

// PolicyTest is what a policy set would decide about a transfer.
type PolicyTest struct {
	Point   string
	Action  string
	Policy  string
	Reason  string
	Matched []string
	// Notes are further lines to show (evaluation errors, the facts used).
	Notes []string
}

// policiesView is the policy editor.
type policiesView struct {
	Available bool
	Direction string
	Doc       string
	Version   int
	Problems  []string
	Valid     bool
	Checked   bool
	Test      *PolicyTest
	TestRef   string
	Variables []string
}

func direction(r *http.Request) string {
	d := r.FormValue("direction")
	if d != "incoming" {
		d = "outgoing"
	}
	return d
}

func (h *Handler) policiesPage(c *call) error {
	v := &policiesView{Direction: direction(c.r)}
	if h.policies != nil {
		v.Available, v.Variables = true, h.policies.Variables()
		var err error
		if v.Doc, v.Version, err = h.policies.Current(c.ctx(), c.vaspID(), v.Direction); err != nil {
			return err
		}
	}
	c.render(http.StatusOK, "policies", "Policies", "policies", v)
	return nil
}

// editorState reads the editor form back, so a check or a test keeps what the person typed.
func (h *Handler) editorState(c *call) (*policiesView, error) {
	if h.policies == nil {
		return nil, notFound()
	}
	v := &policiesView{Available: true, Direction: direction(c.r), Doc: c.r.PostFormValue("doc"), Variables: h.policies.Variables(),
		TestRef: strings.TrimSpace(c.r.PostFormValue("transfer"))}
	_, v.Version, _ = h.policies.Current(c.ctx(), c.vaspID(), v.Direction)
	if len(v.Doc) > 512<<10 {
		return nil, badRequest("The policy document is larger than 512 KiB.")
	}
	return v, nil
}

func (h *Handler) validatePolicies(c *call) error {
	v, err := h.editorState(c)
	if err != nil {
		return err
	}
	if v.Problems, err = h.policies.Validate(c.ctx(), c.vaspID(), v.Direction, v.Doc); err != nil {
		return err
	}
	v.Checked, v.Valid = true, len(v.Problems) == 0
	status := http.StatusOK
	if !v.Valid {
		status = http.StatusUnprocessableEntity
	}
	c.render(status, "policies", "Policies", "policies", v)
	return nil
}

func (h *Handler) testPolicies(c *call) error {
	v, err := h.editorState(c)
	if err != nil {
		return err
	}
	if v.Problems, err = h.policies.Validate(c.ctx(), c.vaspID(), v.Direction, v.Doc); err != nil {
		return err
	}
	v.Checked, v.Valid = true, len(v.Problems) == 0
	if v.Valid && v.TestRef != "" {
		v.Test, err = h.policies.Test(c.ctx(), c.vaspID(), v.Direction, v.Doc, v.TestRef)
		if errors.Is(err, store.ErrNotFound) {
			v.Problems = []string{"no transfer of yours has this id or ref"}
			v.Valid, err = false, nil
		} else if msg := refusal(err); msg != "" {
			v.Problems, v.Valid, err = []string{msg}, false, nil
		}
		if err != nil {
			return err
		}
	}
	c.render(http.StatusOK, "policies", "Policies", "policies", v)
	return nil
}

func (h *Handler) savePolicies(c *call) error {
	v, err := h.editorState(c)
	if err != nil {
		return err
	}
	base, err := strconv.Atoi(c.r.PostFormValue("version"))
	if err != nil {
		return badRequest("The form lost its version: reload the page.")
	}
	if v.Problems, err = h.policies.Validate(c.ctx(), c.vaspID(), v.Direction, v.Doc); err != nil {
		return err
	}
	if len(v.Problems) > 0 {
		v.Checked = true
		c.render(http.StatusUnprocessableEntity, "policies", "Policies", "policies", v)
		return nil
	}
	version, err := h.policies.Save(c.ctx(), c.actor(), c.vaspID(), v.Direction, v.Doc, base)
	if msg := refusal(err); msg != "" {
		v.Problems, v.Checked = []string{msg}, true
		c.render(http.StatusConflict, "policies", "Policies", "policies", v)
		return nil
	}
	if err != nil {
		return err
	}
	return c.done(nil, Prefix+"policies?direction="+v.Direction, "Policies saved as version "+strconv.Itoa(version)+".")
}

// screeningView lists the screening lists the node holds.
type screeningView struct {
	Lists []store.ScreeningList
}

func (h *Handler) screeningPage(c *call) error {
	lists, err := h.st.Read().ListScreeningLists(c.ctx(), false)
	if err != nil {
		return err
	}
	c.render(http.StatusOK, "screening", "Screening lists", "screening", &screeningView{Lists: lists})
	return nil
}
