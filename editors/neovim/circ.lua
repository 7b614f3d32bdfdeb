-- circ in Neovim (0.7 or later): put this file in ~/.config/nvim/plugin/
-- (or source it from init.lua). It marks *.circ files as circ, sets their
-- comments, and starts `circc lsp` for them: diagnostics while typing,
-- hover (K), go to definition (gd), references, completion, signature
-- help and formatting (vim.lsp.buf.format, or formatting_sync on 0.7).
vim.cmd([[autocmd BufRead,BufNewFile *.circ setfiletype circ]])
vim.api.nvim_create_autocmd("FileType", {
  pattern = "circ",
  callback = function(args)
    vim.bo[args.buf].commentstring = "// %s"
    vim.bo[args.buf].comments = ":///,://"
    local client = vim.lsp.start_client({
      name = "circc",
      cmd = { "circc", "lsp" },
      root_dir = vim.fn.fnamemodify(vim.api.nvim_buf_get_name(args.buf), ":p:h"),
    })
    if client then
      vim.lsp.buf_attach_client(args.buf, client)
    end
    vim.keymap.set("n", "K", vim.lsp.buf.hover, { buffer = args.buf })
    vim.keymap.set("n", "gd", vim.lsp.buf.definition, { buffer = args.buf })
  end,
})
