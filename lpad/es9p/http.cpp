#include "lpad/es9p/http.h"

namespace lpad::es9p {

HttpClient::~HttpClient() = default;

}  // namespace lpad::es9p
