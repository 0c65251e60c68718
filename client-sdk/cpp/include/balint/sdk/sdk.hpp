// Everything the C++ SDK offers, in one include.
#pragma once

#include "balint/sdk/admin_client.hpp"
#include "balint/sdk/client.hpp"
#include "balint/sdk/commands.hpp"
#include "balint/sdk/describe.hpp"
#include "balint/sdk/join_link.hpp"
#include "balint/sdk/status.hpp"
#include "balint/sdk/token.hpp"
