package trp

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/waybill/waybill/internal/counterparty"
	"github.com/waybill/waybill/internal/ivms"
	"github.com/waybill/waybill/internal/jobs"
	"github.com/waybill/waybill/internal/route"
	"github.com/waybill/waybill/internal/store"
	"github.com/waybill/waybill/internal/transfer"
)

// Send implements route.Adapter: it maps one neutral message onto TRP (see the table in
// reasons.go). A refusal by the peer, or a message TRP cannot express, is a *route.Permanent;
// anything else is retried by the send job.
func (s *Service) Send(ctx context.Context, out *route.Outbound) error {
	cp := out.Counterparty
	if cp == nil || cp.Routes.TRP == nil || (cp.Routes.TRP.URL == "" && cp.Routes.TRP.TravelAddress == "") {
		return &route.Permanent{Err: errors.New("trp: the counterparty has no TRP route")}
	}
	m := &out.Message
	switch m.Kind {
	case route.KindInquiry:
		return s.sendInquiry(ctx, out)
	case route.KindRequest:
		return &route.Permanent{Err: errors.New("trp: TRP has no post-transaction request from the beneficiary VASP; use TRISA or e-mail")}
	case route.KindAddressConfirmation:
		if m.Confirmed {
			return nil // TRP has no address step: the approval says it.
		}
		return s.sendResolution(ctx, out, &Resolution{Rejected: refusalText(m.Reason, CodeAddressNotControlled)})
	case route.KindDecision:
		switch m.Decision {
		case route.DecisionAccept:
			return s.sendApproval(ctx, out)
		case route.DecisionDecline:
			return s.sendResolution(ctx, out, &Resolution{Rejected: refusalText(m.Reason, CodeDeclined)})
		}
		return nil // not ready: TRP cannot say it; the originator keeps waiting for the resolution.
	case route.KindTxHash:
		return s.sendConfirmation(ctx, out, &Confirmation{TxID: m.TxHash})
	case route.KindCancel:
		return s.sendCancel(ctx, out)
	}
	return &route.Permanent{Err: fmt.Errorf("trp: cannot send a %q message", m.Kind)}
}

func apiVersionFor(cp *counterparty.Counterparty) string {
	if cp.Routes.TRP != nil && cp.Routes.TRP.APIVersion != "" {
		return cp.Routes.TRP.APIVersion
	}
	return APIVersion
}

func allowPrivate(cp *counterparty.Counterparty) bool {
	return cp.Routes.TRP != nil && cp.Routes.TRP.AllowPrivate
}

// PeerURL returns the inquiry URL of a counterparty's TRP route (its URL, else its travel
// address decoded).
func PeerURL(cp *counterparty.Counterparty) (*url.URL, error) {
	if cp == nil || cp.Routes.TRP == nil {
		return nil, fmt.Errorf("trp: no TRP route: %w", ErrAddress)
	}
	if cp.Routes.TRP.URL != "" {
		u, _, err := ParseAddress(cp.Routes.TRP.URL)
		return u, err
	}
	u, _, err := ParseAddress(cp.Routes.TRP.TravelAddress)
	return u, err
}

func (s *Service) sendInquiry(ctx context.Context, out *route.Outbound) error {
	m := &out.Message
	if m.Transaction == nil {
		return &route.Permanent{Err: errors.New("trp: an inquiry needs its transaction")}
	}
	target, err := PeerURL(out.Counterparty)
	if err != nil {
		return &route.Permanent{Err: err}
	}
	base := s.BaseURL()
	if base == "" {
		return errors.New("trp: our TRP base URL is not known yet (the listener has not started)")
	}
	asset, err := s.assetOut(ctx, m.Transaction.Asset)
	if err != nil {
		return err
	}
	in := &Inquiry{Asset: asset, Amount: m.Transaction.Amount, Callback: base + ResolvePath(out.VASPID, m.TransferMessageID),
		Identity: identityOut(m)}
	body, err := EncodeInquiry(in)
	if err != nil {
		return &route.Permanent{Err: err}
	}
	rep, err := s.client.post(ctx, allowPrivate(out.Counterparty), target.String(), apiVersionFor(out.Counterparty), m.TransferMessageID, body)
	if err != nil {
		return err
	}
	if !rep.JSON || rep.Status == 204 {
		return nil
	}
	res, err := DecodeResolution(rep.Body)
	if err != nil {
		// Delivered; the answer is not one we can read. The resolution may still come by callback.
		s.log.Warn("trp: unreadable inquiry answer", append(logCtx(out.VASPID, m.TransferMessageID), "err", err)...)
		return nil
	}
	if res.Version != "" {
		return nil
	}
	t, err := s.st.Read().GetTransfer(ctx, out.VASPID, out.TransferID)
	if err != nil {
		return err
	}
	// An immediate answer in the response: the same as a resolution posted to our callback.
	if err := s.resolved(ctx, &t.Transfer, out.Counterparty, res, ""); err != nil && !isRefusal(err) {
		return err
	}
	return nil
}

// assetOut names an asset for TRP: the transfer's DTI, else the catalogue's DTI, else the
// SLIP-0044 coin type of a network's native coin. A token without a DTI cannot be named.
func (s *Service) assetOut(ctx context.Context, a transfer.Asset) (Asset, error) {
	if a.DTI != "" {
		return Asset{DTI: a.DTI}, nil
	}
	row, err := s.st.Read().GetAsset(ctx, a.Network, a.Symbol)
	if errors.Is(err, store.ErrNotFound) {
		return Asset{}, &route.Permanent{Err: fmt.Errorf("trp: %s on %s is not in the asset catalogue", a.Symbol, a.Network)}
	}
	if err != nil {
		return Asset{}, err
	}
	switch {
	case row.DTI != "":
		return Asset{DTI: row.DTI}, nil
	case row.SLIP44 >= 0:
		return Asset{SLIP44: int64(row.SLIP44), HasSLIP44: true}, nil
	}
	return Asset{}, &route.Permanent{Err: fmt.Errorf("trp: TRP names assets by DTI or SLIP-0044 coin type; give %s on %s a DTI in the asset catalogue", a.Symbol, a.Network)}
}

// identityOut builds the IVMS101 payload of an inquiry. The destination address travels as the
// beneficiary's account number (TRP has no address field); the VASPs as legal persons.
func identityOut(m *route.Message) *ivms.IdentityPayload {
	id := &ivms.IdentityPayload{Originator: m.Originator}
	ben := &ivms.Beneficiary{}
	if m.Beneficiary != nil {
		ben.Persons = m.Beneficiary.Persons
		ben.AccountNumbers = append([]string(nil), m.Beneficiary.AccountNumbers...)
	}
	if dest := m.Transaction.DestinationAddress; dest != "" {
		found := false
		for _, a := range ben.AccountNumbers {
			found = found || a == dest
		}
		if !found {
			ben.AccountNumbers = append([]string{dest}, ben.AccountNumbers...)
		}
	}
	if len(ben.Persons) > 0 || len(ben.AccountNumbers) > 0 {
		id.Beneficiary = ben
	}
	if v := m.OriginatingVASP; v != nil && v.Name != "" {
		id.OriginatingVASP = ivms.NewVASP(v.Name, v.LEI, v.Country, nil)
	}
	if v := m.BeneficiaryVASP; v != nil && v.Name != "" {
		id.BeneficiaryVASP = ivms.NewVASP(v.Name, v.LEI, v.Country, nil)
	}
	return id
}

// state returns the TRP state of a transfer we are sending about; its absence is permanent.
func (s *Service) state(ctx context.Context, vaspID, messageID string) (*store.TRPTransfer, error) {
	st, err := s.st.Read().GetTRPTransfer(ctx, vaspID, messageID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, &route.Permanent{Err: errors.New("trp: no TRP exchange is recorded for this transfer")}
	}
	return st, err
}

func (s *Service) sendApproval(ctx context.Context, out *route.Outbound) error {
	m := &out.Message
	st, err := s.state(ctx, out.VASPID, m.TransferMessageID)
	if err != nil {
		return err
	}
	base := s.BaseURL()
	if base == "" {
		return errors.New("trp: our TRP base URL is not known yet (the listener has not started)")
	}
	address := m.DepositAddress
	if address == "" {
		t, err := s.st.Read().GetTransfer(ctx, out.VASPID, out.TransferID)
		if err != nil {
			return err
		}
		address = t.DestinationAddress
	}
	if address == "" {
		return &route.Permanent{Err: errors.New("trp: a TRP approval names the payment address: accept with a deposit_address")}
	}
	res := &Resolution{Approved: &Approval{Address: address, Callback: base + ConfirmPath(out.VASPID, m.TransferMessageID)}}
	return s.postTo(ctx, out.Counterparty, st.PeerCallback, m.TransferMessageID, encodeJSON(res))
}

func (s *Service) sendResolution(ctx context.Context, out *route.Outbound, res *Resolution) error {
	st, err := s.state(ctx, out.VASPID, out.Message.TransferMessageID)
	if err != nil {
		return err
	}
	return s.postTo(ctx, out.Counterparty, st.PeerCallback, out.Message.TransferMessageID, encodeJSON(res))
}

func (s *Service) sendConfirmation(ctx context.Context, out *route.Outbound, c *Confirmation) error {
	st, err := s.state(ctx, out.VASPID, out.Message.TransferMessageID)
	if err != nil {
		return err
	}
	if st.PeerCallback == "" {
		return &route.Permanent{Err: errors.New("trp: the beneficiary VASP has not approved: there is no confirmation callback")}
	}
	return s.postTo(ctx, out.Counterparty, st.PeerCallback, out.Message.TransferMessageID, encodeJSON(c))
}

// sendCancel: the originator cancels with a confirmation {"canceled"} once the approval named
// its callback (until then the cancel waits in the TRP state); the beneficiary refuses with a
// resolution {"rejected": "cancelled: ..."}.
func (s *Service) sendCancel(ctx context.Context, out *route.Outbound) error {
	m := &out.Message
	t, err := s.st.Read().GetTransfer(ctx, out.VASPID, out.TransferID)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return &route.Permanent{Err: err}
		}
		return err
	}
	reason := refusalText(m.Reason, CodeCancelled)
	if t.Direction == transfer.Incoming {
		return s.sendResolution(ctx, out, &Resolution{Rejected: reason})
	}
	waiting := false
	st, err := s.putState(ctx, out.VASPID, m.TransferMessageID, store.TRPRoleOriginator, out.Counterparty.ID, func(_ store.Tx, st *store.TRPTransfer) error {
		if st.PeerCallback == "" {
			st.PendingCancel, waiting = reason, true
		}
		return nil
	})
	if err != nil {
		return err
	}
	if waiting {
		s.log.Info("trp: cancel waits for the approval's callback", logCtx(out.VASPID, m.TransferMessageID)...)
		return nil
	}
	return s.postTo(ctx, out.Counterparty, st.PeerCallback, m.TransferMessageID, encodeJSON(&Confirmation{Canceled: reason}))
}

func (s *Service) postTo(ctx context.Context, cp *counterparty.Counterparty, target, messageID string, body []byte) error {
	if target == "" {
		return &route.Permanent{Err: errors.New("trp: the peer named no callback")}
	}
	_, err := s.client.post(ctx, allowPrivate(cp), target, apiVersionFor(cp), messageID, body)
	return err
}

// putState reads or creates the TRP state of a transfer, lets fn change it (and write more in
// the same transaction) and writes it, in a transaction of its own. A state held for another
// counterparty or role is errStateMismatch.
func (s *Service) putState(ctx context.Context, vaspID, messageID, role, counterpartyID string, fn func(store.Tx, *store.TRPTransfer) error) (*store.TRPTransfer, error) {
	var out *store.TRPTransfer
	var err error
	for attempt := 0; attempt < 2; attempt++ {
		err = s.st.InTx(ctx, func(tx store.Tx) error {
			var err error
			out, err = s.putStateTx(ctx, tx, vaspID, messageID, role, counterpartyID, fn)
			return err
		})
		if !errors.Is(err, store.ErrConflict) {
			break
		}
	}
	return out, err
}

// putStateTx is putState inside the caller's transaction.
func (s *Service) putStateTx(ctx context.Context, tx store.Tx, vaspID, messageID, role, counterpartyID string, fn func(store.Tx, *store.TRPTransfer) error) (*store.TRPTransfer, error) {
	now := s.now()
	st, err := tx.GetTRPTransfer(ctx, vaspID, messageID)
	if errors.Is(err, store.ErrNotFound) {
		st = &store.TRPTransfer{VASPID: vaspID, MessageID: messageID, Role: role, CounterpartyID: counterpartyID, CreatedAt: now, UpdatedAt: now}
		if err := fn(tx, st); err != nil {
			return nil, err
		}
		return st, tx.CreateTRPTransfer(ctx, st)
	}
	if err != nil {
		return nil, err
	}
	if st.CounterpartyID != counterpartyID || st.Role != role {
		return nil, errStateMismatch
	}
	if err := fn(tx, st); err != nil {
		return nil, err
	}
	st.UpdatedAt = now
	return st, tx.UpdateTRPTransfer(ctx, st)
}

// errStateMismatch: the request-identifier is already used by another counterparty or role.
var errStateMismatch = errors.New("trp: the request-identifier belongs to another exchange")

type cancelPayload struct {
	VASPID    string `json:"vasp_id"`
	MessageID string `json:"message_id"`
}

// cancelJob delivers a cancel that waited for the approval's callback.
func (s *Service) cancelJob(ctx context.Context, job *store.Job) (jobs.Finish, error) {
	p, err := jobs.Payload[cancelPayload](job)
	if err != nil {
		return nil, err
	}
	st, err := s.st.Read().GetTRPTransfer(ctx, p.VASPID, p.MessageID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, &jobs.Permanent{Err: err}
	}
	if err != nil {
		return nil, err
	}
	if st.PendingCancel == "" || st.PeerCallback == "" {
		return nil, nil
	}
	cp, err := s.st.Read().GetCounterparty(ctx, p.VASPID, st.CounterpartyID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, &jobs.Permanent{Err: err}
	}
	if err != nil {
		return nil, err
	}
	if err := s.postTo(ctx, cp, st.PeerCallback, st.MessageID, encodeJSON(&Confirmation{Canceled: st.PendingCancel})); err != nil {
		var perm *route.Permanent
		if errors.As(err, &perm) {
			return nil, &jobs.Permanent{Err: err}
		}
		return nil, err
	}
	return func(ctx context.Context, tx store.Tx) error {
		st, err := tx.GetTRPTransfer(ctx, p.VASPID, p.MessageID)
		if err != nil {
			return err
		}
		st.PendingCancel, st.UpdatedAt = "", s.now()
		return tx.UpdateTRPTransfer(ctx, st)
	}, nil
}

// enqueueCancel queues the delivery of a waiting cancel (in the caller's transaction).
func (s *Service) enqueueCancel(ctx context.Context, tx store.Tx, vaspID, messageID string) error {
	j, err := jobs.NewJob(JobCancel, "msg:trp:"+vaspID+":"+messageID, cancelPayload{VASPID: vaspID, MessageID: messageID}, s.now(), 40)
	if err != nil {
		return err
	}
	return tx.Enqueue(ctx, j)
}
