// SPDX-License-Identifier: MIT
// The login form: POST /api/login sets the HttpOnly login cookie.
"use strict";
document.getElementById("login").addEventListener("submit", async (e) => {
  e.preventDefault();
  const r = await fetch("/api/login", {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-LSC-Request": "1" },
    body: JSON.stringify({ token: document.getElementById("token").value }),
  });
  if (r.ok)
    location.replace("/");
  else
    document.getElementById("login-error").textContent = "wrong token";
});
