// lpactl output: one field registry per record kind drives both the human table and the JSON document
// (CONVENTIONS "CLI": stable field names, one JSON document with -j).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace lpactl {

// One row of output: JSON values by field key.
using Record = nlohmann::json;

struct Field {
    std::string key;     // JSON name (stable API)
    std::string header;  // table column / label
};

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
