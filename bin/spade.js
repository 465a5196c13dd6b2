#!/usr/bin/env node
'use strict';
// The CLI over the same server code the extension uses (see README "CLI").
require('../dist/cli.js');
