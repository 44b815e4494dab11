// SPDX-License-Identifier: Apache-2.0
// lpactl output: one field registry per record kind drives both the human table and the JSON document
// (CONVENTIONS "CLI": stable field names, one JSON document with -j).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace lpactl {

// One row of output: JSON values by field key.
using Record = nlohmann::json;

struct Field {
    std::string key;     // JSON name (stable API)
    std::string header;  // table column / label
};

// Text from the daemon (and so from an SM-DP+ or another user) made safe for a terminal: C0 controls (ESC, CR,
// LF, TAB, ...), DEL, C1 controls (U+0080..U+009F), the bidirectional overrides and isolates (U+202A..U+202E,
// U+2066..U+2069) and bytes that are not UTF-8 are shown as \xHH or \u{HHHH}; a backslash becomes \\. Everything
// else, including any other UTF-8, is kept. Used for every human-readable line; JSON output stays exact.
std::string printable(std::string_view text);

// Where printable() would have to escape something other than a backslash (a control or bidi character, or a byte
// that is not UTF-8), or npos. For refusing new nicknames.
std::size_t find_control(std::string_view text);

// A table with one column per field (profile list, notification list, discover).
std::string render_table(const std::vector<Field>& fields, const std::vector<Record>& rows);
// "Label: value" lines for a single record (chip info).
std::string render_record(const std::vector<Field>& fields, const Record& record);
// Only the registry's fields, in its order.
nlohmann::ordered_json to_json(const std::vector<Field>& fields, const Record& record);

extern const std::vector<Field> kChipFields;
extern const std::vector<Field> kProfileFields;
extern const std::vector<Field> kNotificationFields;
extern const std::vector<Field> kEventFields;
extern const std::vector<Field> kOutcomeFields;

}  // namespace lpactl
