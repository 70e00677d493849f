// Starts Swagger UI on the contract this server serves. validatorUrl: null
// keeps the page from calling the public spec validator: /docs loads
// nothing from any other host. persistAuthorization: false keeps a token
// given to Authorize in the page's memory only: not in localStorage, where
// it would outlive the tab (the admin token, on a shared browser) and be
// readable by any script the origin ever runs.
window.onload = function () {
  // Releases before this one persisted the token there; Swagger UI no
  // longer reads that entry, nor removes it. (Reading localStorage throws
  // where the browser blocks site data: the page must start regardless.)
  try {
    localStorage.removeItem("authorized");
  } catch (e) {}
  window.ui = SwaggerUIBundle({
    url: "/openapi.yaml",
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    persistAuthorization: false,
    displayRequestDuration: true,
    // BaseLayout: no top bar with a box for loading other documents, which
    // the page's CSP would refuse anyway.
    presets: [SwaggerUIBundle.presets.apis],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: "BaseLayout",
  });
};
