// SPDX-License-Identifier: Apache-2.0
// Downloads in flight on disk (issue #18): one JSON file per eUICC under the state directory,
// `downloads-<EID>.json`, mode 0600, written atomically like the retry schedule (file_retry_store.h). A record is
// added right before getBoundProfilePackage and removed when that download ends in the process (installed,
// failed with a result, cancelled); a record found at start-up is a download a crash interrupted.
// Holds the SM-DP+ address, transactionId, matching ID (a secret of the order: hence 0600 and a root-only
// directory), SM-DP+ OID, the accepted profile's ICCID and whether a confirmation code was given (never the code).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "lpad/core/download.h"

namespace lpad::daemon {

struct InFlightRecord {
    core::InFlightDownload download;
    bool enable = false;  // the caller asked to enable the profile afterwards
    bool operator==(const InFlightRecord& o) const;
};

// The file's text, without file I/O (what load() and save() use; fuzzed by tests/fuzz/fuzz_in_flight_store.cpp).
// parse: any text gives records or Error(MalformedData) naming `origin`, never quoting the text (it holds matching
// IDs). format: the text parse reads back as the same records.
std::vector<InFlightRecord> parse_in_flight(std::string_view text, const std::string& origin);
std::string format_in_flight(const std::vector<InFlightRecord>& records);

// Used from one thread (the eUICC's worker).
class InFlightStore {
public:
    explicit InFlightStore(std::string path) : path_(std::move(path)) {}
    // A missing file is none; a file that does not parse is MalformedData naming the path (secrets not quoted).
    std::vector<InFlightRecord> load() const;
    // Adds (or replaces, by transactionId) one record.
    void add(const InFlightRecord& record);
    // Removes the record of this transactionId; the file goes when none is left. Unknown: nothing happens.
    void remove(const std::string& transaction_id);
    const std::string& path() const { return path_; }

private:
    void save(const std::vector<InFlightRecord>& records) const;
    std::string path_;
};

}  // namespace lpad::daemon
