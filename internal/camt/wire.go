package camt

import (
	"encoding/xml"
	"reflect"
)

// The element structs below are the subset of camt.054.001.08 that the parser
// reads, in the order of the schema's sequences, because Write marshals the
// same structs: the element paths of reader and writer cannot drift apart.
// Elements that a valid document needs but the parser ignores (BkTxCd) are
// here for the writer. camt.054.001.04 decodes into the same structs; it
// differs in two places, marked "v04".
//
// Conventions: an element that can be missing or wrong, and every element with
// children, is a node, which remembers its line; text that is only copied is
// a plain string with omitempty.

// node is an element and the line it starts on. encoding/xml calls
// UnmarshalXML right after reading the start tag, so the decoder's InputPos
// is the line of the tag's closing '>', the element's line for every start
// tag written on one line, as banks write them. The decoder counts lines
// itself, so no second pass over the input is needed.
type node[T any] struct {
	Line int // 0: the element was absent
	V    T
}

func (n *node[T]) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	n.Line, _ = d.InputPos()
	return d.DecodeElement(&n.V, &start)
}

// MarshalXML leaves out an element with a zero value, which omitempty cannot
// do for structs.
func (n node[T]) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	if reflect.ValueOf(n.V).IsZero() {
		return nil
	}
	return e.EncodeElement(n.V, start)
}

type document struct {
	XMLName xml.Name      // checked before decoding: Document in Namespace or namespace04
	Msg     node[message] `xml:"BkToCstmrDbtCdtNtfctn"`
}

type message struct {
	GrpHdr node[groupHeader]    `xml:"GrpHdr"`
	Ntfctn []node[notification] `xml:"Ntfctn"`
}

type groupHeader struct {
	MsgID   node[string] `xml:"MsgId"`
	CreDtTm node[string] `xml:"CreDtTm"`
}

type notification struct {
	ID   node[string]      `xml:"Id"`
	Acct node[cashAccount] `xml:"Acct"`
	Ntry []node[entry]     `xml:"Ntry"`
}

// cashAccount serves for Ntfctn/Acct and for RltdPties/DbtrAcct.
type cashAccount struct {
	ID  accountID `xml:"Id"`
	Ccy string    `xml:"Ccy,omitempty"`
}

type accountID struct {
	IBAN string `xml:"IBAN,omitempty"`
}

type entry struct {
	Amt         node[amount]         `xml:"Amt"`
	CdtDbtInd   node[string]         `xml:"CdtDbtInd"`
	RvslInd     node[string]         `xml:"RvslInd"`
	Sts         node[status]         `xml:"Sts"`
	BookgDt     node[dateChoice]     `xml:"BookgDt"`
	ValDt       node[dateChoice]     `xml:"ValDt"`
	AcctSvcrRef string               `xml:"AcctSvcrRef,omitempty"`
	BkTxCd      node[bankTxCode]     `xml:"BkTxCd"`
	NtryDtls    []node[entryDetails] `xml:"NtryDtls"`
}

type amount struct {
	Ccy   string `xml:"Ccy,attr,omitempty"`
	Value string `xml:",chardata"`
}

// status is Sts: <Sts><Cd>BOOK</Cd></Sts> in v08, <Sts>BOOK</Sts> in v04.
type status struct {
	Text string `xml:",chardata"` // v04
	Cd   string `xml:"Cd,omitempty"`
}

type dateChoice struct {
	Dt   string `xml:"Dt,omitempty"`
	DtTm string `xml:"DtTm,omitempty"`
}

type bankTxCode struct {
	Domn node[bankTxDomain] `xml:"Domn"`
}

type bankTxDomain struct {
	Cd   string             `xml:"Cd"`
	Fmly node[bankTxFamily] `xml:"Fmly"`
}

type bankTxFamily struct {
	Cd        string `xml:"Cd"`
	SubFmlyCd string `xml:"SubFmlyCd"`
}

type entryDetails struct {
	TxDtls []node[txDetails] `xml:"TxDtls"`
}

type txDetails struct {
	Refs      node[txRefs]     `xml:"Refs"`
	Amt       node[amount]     `xml:"Amt"`
	CdtDbtInd string           `xml:"CdtDbtInd,omitempty"` // written for completeness; the entry's decides
	RltdPties node[parties]    `xml:"RltdPties"`
	RmtInf    node[remittance] `xml:"RmtInf"`
}

type txRefs struct {
	AcctSvcrRef string `xml:"AcctSvcrRef,omitempty"`
}

type parties struct {
	Dbtr     node[debtor]      `xml:"Dbtr"`
	DbtrAcct node[cashAccount] `xml:"DbtrAcct"`
}

// debtor is Dbtr: a choice of Pty and Agt in v08, the party itself in v04.
type debtor struct {
	Nm  string      `xml:"Nm,omitempty"` // v04
	Pty node[party] `xml:"Pty"`
}

type party struct {
	Nm string `xml:"Nm,omitempty"`
}

type remittance struct {
	Ustrd []string     `xml:"Ustrd"`
	Strd  []structured `xml:"Strd"`
}

type structured struct {
	CdtrRefInf node[creditorRef] `xml:"CdtrRefInf"`
}

type creditorRef struct {
	Tp  node[refType] `xml:"Tp"`
	Ref string        `xml:"Ref,omitempty"`
}

type refType struct {
	CdOrPrtry codeOrProprietary `xml:"CdOrPrtry"`
}

type codeOrProprietary struct {
	Cd    string `xml:"Cd,omitempty"`
	Prtry string `xml:"Prtry,omitempty"`
}
