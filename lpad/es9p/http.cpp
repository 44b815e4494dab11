// SPDX-License-Identifier: Apache-2.0
#include "lpad/es9p/http.h"

namespace lpad::es9p {

HttpClient::~HttpClient() = default;

}  // namespace lpad::es9p
