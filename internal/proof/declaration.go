package proof

import "strings"

// verifyDeclaration checks a self-declaration for completeness: who, when, the statement, and
// that it was accepted. Nothing in it can be checked against the chain, so a complete
// declaration is Verified with StrengthDeclared, the weakest kind.
func verifyDeclaration(p Proof) (Result, error) {
	d := p.Declaration
	switch {
	case d == nil:
		return Result{}, malformed("declaration", "is missing")
	case strings.TrimSpace(d.Name) == "":
		return Result{}, malformed("declaration.name", "is missing")
	case d.Date.IsZero():
		return Result{}, malformed("declaration.date", "is missing")
	case strings.TrimSpace(p.Message) == "":
		return Result{}, malformed("message", "is missing; give the statement the customer accepted")
	}
	res := Result{Type: TypeDeclaration, Method: "declaration"}
	switch {
	case !d.Accepted:
		res.Reason = "the customer did not accept the declaration"
	case !mentionsAddress(p.Network, p.Address, p.Message):
		res.Reason = "the declaration does not mention the address"
	default:
		res.Verified = true
		res.Strength = StrengthDeclared
		res.Reason = "the customer declared the address theirs; this is not cryptographic proof of control"
	}
	return res, nil
}
