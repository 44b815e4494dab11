// SPDX-License-Identifier: Apache-2.0
// Typed ES9+ (LPA <-> SM-DP+) and ES11 (LPA <-> SM-DS) JSON messages, SGP.22 §6.5.2. Encode and decode for both
// sides: the LPA encodes requests and decodes responses, the test SM-DP+ does the opposite.
//
// Binary members are base64 (RFC 4648, padded) of the DER of the ASN.1 type named in the comment; the structs hold
// the DER. transactionId is a hex string kept as received and echoed back unchanged; servers we encode for write it
// upper case, as SGP.22's examples do.
//
// decode(): strict — required members present with the right JSON type, base64 valid, unknown members ignored —
// else Error(MalformedData) naming the message and field. Response decode() first checks header.
// functionExecutionStatus: Failed/Expired throws Error::server(subject, reason, message) (status.h).
// encode() of a response adds an Executed-Success header unless another status is given.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "libapdu/bytes.h"
#include "lpad/es9p/status.h"

namespace lpad::es9p {

// Upper-case hex of a TransactionId, the form servers send.
std::string transaction_id_hex(ByteView transaction_id);

// ES9+.InitiateAuthentication (SGP.22 §6.5.2.1).
struct InitiateAuthenticationRequest {
    Bytes euicc_challenge;     // Octet16
    Bytes euicc_info1;         // EUICCInfo1 (BF20)
    std::string smdp_address;  // UTF8String as in the activation code
    std::string encode() const;
    static InitiateAuthenticationRequest decode(std::string_view json);
};

struct InitiateAuthenticationResponse {
    std::string transaction_id;
    Bytes server_signed1;            // ServerSigned1
    Bytes server_signature1;         // [APPLICATION 55] signature (5F37)
    Bytes euicc_ci_pkid_to_be_used;  // SubjectKeyIdentifier (04 14 ...)
    Bytes server_certificate;        // CERT.DPauth.ECDSA / CERT.DSauth.ECDSA
    std::string encode(const FunctionExecutionStatus& status = {}) const;
    static InitiateAuthenticationResponse decode(std::string_view json);
};

// ES9+.AuthenticateClient (SGP.22 §6.5.2.2).
struct AuthenticateClientRequest {
    std::string transaction_id;
    Bytes authenticate_server_response;  // AuthenticateServerResponse (BF38)
    std::string encode() const;
    static AuthenticateClientRequest decode(std::string_view json);
};

struct AuthenticateClientResponse {
    std::string transaction_id;
    Bytes profile_metadata;  // StoreMetadataRequest (BF25)
    Bytes smdp_signed2;      // SmdpSigned2
    Bytes smdp_signature2;   // [APPLICATION 55] signature
    Bytes smdp_certificate;  // CERT.DPpb.ECDSA
    std::string encode(const FunctionExecutionStatus& status = {}) const;
    static AuthenticateClientResponse decode(std::string_view json);
};

// ES9+.GetBoundProfilePackage (SGP.22 §6.5.2.3).
struct GetBoundProfilePackageRequest {
    std::string transaction_id;
    Bytes prepare_download_response;  // PrepareDownloadResponse (BF21)
    std::string encode() const;
    static GetBoundProfilePackageRequest decode(std::string_view json);
};

struct GetBoundProfilePackageResponse {
    std::string transaction_id;
    Bytes bound_profile_package;  // BoundProfilePackage (BF36)
    std::string encode(const FunctionExecutionStatus& status = {}) const;
    static GetBoundProfilePackageResponse decode(std::string_view json);
};

// ES9+.HandleNotification (SGP.22 §6.5.2.4); the server answers HTTP 204 without a body.
struct HandleNotificationRequest {
    Bytes pending_notification;  // PendingNotification (BF37 ProfileInstallationResult or 30 OtherSignedNotification)
    std::string encode() const;
    static HandleNotificationRequest decode(std::string_view json);
};

// ES9+.CancelSession (SGP.22 §6.5.2.5); the response is a header only.
struct CancelSessionRequest {
    std::string transaction_id;
    Bytes cancel_session_response;  // CancelSessionResponse (BF41)
    std::string encode() const;
    static CancelSessionRequest decode(std::string_view json);
};

// A response that is only a header (CancelSession; HandleNotification if a server sends one): checked like any
// other response. `what` names the function in errors.
FunctionExecutionStatus decode_status_only(std::string_view json, std::string_view what);
std::string encode_status_only(const FunctionExecutionStatus& status = {});

// ES11.InitiateAuthentication (SGP.22 §6.5.2.6): as ES9+ but the address member is smdsAddress; the response is
// InitiateAuthenticationResponse.
struct Es11InitiateAuthenticationRequest {
    Bytes euicc_challenge;
    Bytes euicc_info1;
    std::string smds_address;
    std::string encode() const;
    static Es11InitiateAuthenticationRequest decode(std::string_view json);
};

// ES11.AuthenticateClient (SGP.22 §6.5.2.7): the request is AuthenticateClientRequest.
struct EventEntry {
    std::string event_id;            // used as the matching ID at the SM-DP+: a secret, log only redacted
    std::string rsp_server_address;  // SM-DP+ (or alternative SM-DS) address
};

struct Es11AuthenticateClientResponse {
    std::optional<std::string> transaction_id;
    std::vector<EventEntry> event_entries;  // may be empty: no pending event
    std::string encode(const FunctionExecutionStatus& status = {}) const;
    static Es11AuthenticateClientResponse decode(std::string_view json);
};

}  // namespace lpad::es9p
