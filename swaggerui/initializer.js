// Starts Swagger UI on the contract this server serves. validatorUrl: null
// keeps the page from calling the public spec validator: /docs loads
// nothing from any other host.
window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: "/openapi.yaml",
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    persistAuthorization: true,
    displayRequestDuration: true,
    // BaseLayout: no top bar with a box for loading other documents, which
    // the page's CSP would refuse anyway.
    presets: [SwaggerUIBundle.presets.apis],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: "BaseLayout",
  });
};
