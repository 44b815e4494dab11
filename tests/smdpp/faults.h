// SPDX-License-Identifier: Apache-2.0
// Fault switches of the test SM-DP+: make one ES9+/ES11 function misbehave in a chosen way, so LPA tests can
// check that every failure is seen as the right error.
//
// Text form (CLI --fault, POST /admin/faults {"fault": "..."}):  ACTION[=ARG]@FUNCTION[/MATCHINGID][+]
//   ACTION   close | http500 | malformed-json | bad-signature | wrong-transaction-id |
//            wrong-signed-transaction-id | wrong-address | delay=MS | hold=MS | bad-mac
//   FUNCTION initiateAuthentication | authenticateClient | getBoundProfilePackage | handleNotification |
//            cancelSession | * (any)
//   /MATCHINGID only for the session whose order has this matching ID (known from authenticateClient on; an
//            initiateAuthentication or handleNotification never matches a fault restricted this way)
//   +        persistent; otherwise the fault fires once and is removed
// e.g. "close@getBoundProfilePackage", "delay=1500@authenticateClient+", "bad-mac@getBoundProfilePackage/MID-2".
// delay=MS processes the request at once and sends the answer MS later; hold=MS keeps the request MS before the
// server looks at it (a client killed meanwhile left a request the server has not handled yet).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lpad::smdpp {

enum class FaultAction {
    CloseConnection,           // drop the TCP/TLS connection without an answer
    Http500,                   // HTTP 500 with a plain-text body
    MalformedJson,             // HTTP 200 with a body that is not JSON
    BadSignature,              // one byte flipped in serverSignature1 / smdpSignature2 / smdpSign
    WrongTransactionId,        // the JSON transactionId differs from the session's
    WrongSignedTransactionId,  // transactionId inside serverSigned1 / smdpSigned2 / the BPP differs
    WrongAddress,              // serverSigned1.serverAddress is not ours
    Delay,                     // processed at once, answered normally after `arg` milliseconds
    Hold,                      // processed `arg` milliseconds after it arrived (then answered at once)
    BadMac,                    // one 86 segment of the Bound Profile Package carries a wrong MAC
};
std::string_view name(FaultAction action);

struct Fault {
    FaultAction action = FaultAction::Http500;
    unsigned arg = 0;                       // Delay, Hold: milliseconds
    std::string function = "*";
    std::optional<std::string> matching_id;
    bool persistent = false;

    // Throws Error(InvalidArgument) naming the problem.
    static Fault parse(std::string_view text);
    std::string to_string() const;
};

// The faults in force. Not thread-safe: the server guards it.
class FaultSet {
public:
    void add(Fault fault) { faults_.push_back(std::move(fault)); }
    void clear() { faults_.clear(); }
    const std::vector<Fault>& list() const { return faults_; }
    // The first fault matching this call, consumed unless persistent. `matching_id` is empty when not yet known.
    std::optional<Fault> take(std::string_view function, std::string_view matching_id);

private:
    std::vector<Fault> faults_;
};

}  // namespace lpad::smdpp
